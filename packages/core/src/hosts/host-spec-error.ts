import { SshccError } from '../errors';

/** A bad entry: `<where>: <what is wrong with which token>`, exit code 101. */
export function hostSpecError(where: string, message: string, hint?: string): SshccError {
  return new SshccError('bad-host-spec', `${where}: ${message}`, hint === undefined ? {} : { hint });
}
