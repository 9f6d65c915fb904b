// Environment variables that carry facts from a launcher (the C shim, or the sh launcher written where
// no C compiler was found) to the TS thin client. The thin client removes them before it passes the
// environment on, so the compiler sees the build's environment unchanged.

/** How sshcc was invoked ("sshcc", or "gcc" through a masquerade link). */
export const HANDOVER_ARGV0 = 'SSHCC_HANDOVER_ARGV0';
/** Real path of the launcher: the file masquerade links point at, never "the real compiler". */
export const HANDOVER_SELF = 'SSHCC_HANDOVER_SELF';
/** Set by the shim when it could not reach the agent: why. The thin client goes straight to the fallback. */
export const HANDOVER_NO_AGENT = 'SSHCC_HANDOVER_NO_AGENT';
/**
 * NODE_EXTRA_CA_CERTS moved aside: Node reads that file at start-up (~30 ms here) and the thin client
 * does no TLS, so launchers unset it and park its value here; the thin client puts it back for the compiler.
 */
export const HANDOVER_CA_CERTS = 'SSHCC_HANDOVER_CA_CERTS';

/**
 * Recursion marker: set (to depth + 1) in the environment of every compiler a client runs. A client
 * that finds it set was started by a compiler sshcc ran (a masquerade loop, a wrapper calling sshcc
 * again): it skips the agent and runs the compiler locally, and gives up at MAX_DEPTH.
 */
export const DEPTH_VAR = 'SSHCC_DEPTH';
export const MAX_DEPTH = 3;

/** `SSHCC_FALLBACK=0`: no agent is an error (exit 105) rather than a local compile. */
export const FALLBACK_VAR = 'SSHCC_FALLBACK';
/** Override of the agent's entry script (tests point it at something that fails). */
export const AGENT_ENTRY_VAR = 'SSHCC_AGENT_ENTRY';
/** Override of the node binary that runs the agent and the TS client. */
export const NODE_VAR = 'SSHCC_NODE';

export interface Handover {
  readonly argv0: string | undefined;
  readonly self: string | undefined;
  readonly noAgent: string | undefined;
  /** The build's environment: handover variables removed, NODE_EXTRA_CA_CERTS restored. */
  readonly env: Record<string, string>;
}

export function takeHandover(source: Readonly<Record<string, string | undefined>>): Handover {
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(source)) if (value !== undefined) env[name] = value;
  const argv0 = env[HANDOVER_ARGV0];
  const self = env[HANDOVER_SELF];
  const noAgent = env[HANDOVER_NO_AGENT];
  const caCerts = env[HANDOVER_CA_CERTS];
  delete env[HANDOVER_ARGV0];
  delete env[HANDOVER_SELF];
  delete env[HANDOVER_NO_AGENT];
  delete env[HANDOVER_CA_CERTS];
  if (caCerts !== undefined) env.NODE_EXTRA_CA_CERTS = caCerts;
  return { argv0, self, noAgent, env };
}

/** The depth recorded by the client that ran us, 0 when none did. */
export function currentDepth(env: Readonly<Record<string, string | undefined>>): number {
  const depth = Number.parseInt(env[DEPTH_VAR] ?? '', 10);
  return Number.isFinite(depth) && depth > 0 ? depth : 0;
}
