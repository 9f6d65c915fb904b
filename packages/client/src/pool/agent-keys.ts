import { OpenSSHAgent, utils, type KnownPublicKeys, type ParsedKey } from 'ssh2';

// ssh2 asks an agent for its keys during authentication; sshcc asks once beforehand, so it can honour
// IdentitiesOnly (offer only agent keys that match an IdentityFile) and skip key files the agent already
// holds, as ssh does: every key offered counts against sshd's MaxAuthTries.

const AGENT_TIMEOUT_MS = 5_000;

/** An ssh-agent that offers only the keys chosen beforehand and signs through the real agent. */
export class ChosenAgentKeys extends OpenSSHAgent {
  constructor(
    socketPath: string,
    private readonly keys: readonly ParsedKey[],
  ) {
    super(socketPath);
  }

  override getIdentities(cb: (err?: Error | null, keys?: KnownPublicKeys<ParsedKey>) => void): void {
    cb(undefined, [...this.keys]);
  }
}

/** The keys the agent at `socketPath` holds. */
export function listAgentKeys(socketPath: string): Promise<ParsedKey[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${AGENT_TIMEOUT_MS / 1000} s`)), AGENT_TIMEOUT_MS);
    new OpenSSHAgent(socketPath).getIdentities((err, keys) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve((keys ?? []).flatMap(toParsedKey));
    });
  });
}

// ssh2's OpenSSHAgent hands back parsed keys; its types also allow `{pubKey}` entries.
type AgentEntry = KnownPublicKeys<ParsedKey>[number];

function isParsedKey(value: unknown): value is ParsedKey {
  return typeof value === 'object' && value !== null && 'getPublicSSH' in value;
}

function toParsedKey(entry: AgentEntry): ParsedKey[] {
  if (isParsedKey(entry)) return [entry];
  const raw = (entry as { pubKey: ParsedKey | Buffer | string }).pubKey;
  if (isParsedKey(raw)) return [raw];
  const parsed = utils.parseKey(raw);
  if (parsed instanceof Error) return [];
  return Array.isArray(parsed) ? parsed : [parsed];
}
