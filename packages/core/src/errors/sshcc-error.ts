import { EXIT_CODES, type SshccErrorCode } from './exit-codes';

/**
 * The one error type sshcc throws on purpose. It travels to a single place (the CLI's main, the
 * agent's job runner) that turns it into an exit code and one line `sshcc: <what>: <why>`.
 */
export class SshccError extends Error {
  readonly code: SshccErrorCode;
  readonly hint: string | undefined;

  constructor(code: SshccErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SshccError';
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code].exitCode;
  }
}

export function isSshccError(value: unknown): value is SshccError {
  return value instanceof SshccError;
}

/** The single line printed for a failure: `sshcc: <what>: <why>` (plus ` (<hint>)` when there is one). */
export function formatError(err: unknown): string {
  if (isSshccError(err)) {
    const why = oneLine(err.message) + (err.hint ? ` (${oneLine(err.hint)})` : '');
    return `sshcc: ${EXIT_CODES[err.code].what}: ${why}`;
  }
  const why = err instanceof Error ? err.message : String(err);
  return `sshcc: ${EXIT_CODES.internal.what}: ${oneLine(why)}`;
}

/** Exit code for any thrown value: an SshccError's own, anything else is internal. */
export function exitCodeOf(err: unknown): number {
  return isSshccError(err) ? err.exitCode : EXIT_CODES.internal.exitCode;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
