// Which invocations of `sshcc` are the CLI and which are a compile. The C shim and the sh launcher
// are generated from this file at build time (packages/client/build), so all three agree.

/** First words that mean the CLI, not a compiler. Every yargs command must be listed here. */
export const SUBCOMMANDS = ['agent', 'cache', 'doctor', 'explain', 'help', 'hosts', 'install-server', 'masquerade', 'mon', 'ping', 'stats', 'trace'] as const;

export type Invocation = { readonly mode: 'cli' } | { readonly mode: 'compile'; readonly argv: readonly string[] };

/**
 * `gcc ...` through a masquerade link → compile [argv0, ...args]; `sshcc` with no arguments, an
 * option, or a known subcommand → CLI; `sshcc <anything else> ...` → compile args (the first word is
 * the compiler, as with distcc, ccache's CCACHE_PREFIX and CMake's compiler launcher).
 */
export function classifyInvocation(argv0: string, args: readonly string[], isMasquerade: (argv0: string) => boolean): Invocation {
  if (isMasquerade(argv0)) return { mode: 'compile', argv: [argv0, ...args] };
  const first = args[0];
  if (first === undefined || first.startsWith('-')) return { mode: 'cli' };
  if (!first.includes('/') && (SUBCOMMANDS as readonly string[]).includes(first)) return { mode: 'cli' };
  return { mode: 'compile', argv: args };
}
