import { SshccError } from '@sshcc/core';

/** A command line sshcc can't take: exit code 100, one line, a pointer to the help. */
export function usageError(message: string, hint = 'see "sshcc --help"'): SshccError {
  return new SshccError('usage', message, { hint });
}
