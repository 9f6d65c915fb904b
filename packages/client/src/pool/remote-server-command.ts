// How a worker channel starts sshcc-server when the volunteer has no `Subsystem sshcc`: exec of the
// per-user install. sshd runs an exec request as `$SHELL -c '<command>'`, so the command is shell text.

/** Where `sshcc install` puts the server on a volunteer. `~` stays unquoted so the remote shell expands it. */
export const DEFAULT_SERVER_COMMAND = '~/.local/lib/sshcc/sshcc-server';

/** One word for a POSIX shell (also read correctly by bash, zsh and fish). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell command line. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** $SSHCC_SERVER_COMMAND (shell text, used as written), else the per-user install. */
export function remoteServerCommand(env: NodeJS.ProcessEnv): string {
  return env.SSHCC_SERVER_COMMAND || DEFAULT_SERVER_COMMAND;
}
