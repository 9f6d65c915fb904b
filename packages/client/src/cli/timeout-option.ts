import { DEFAULT_PING_TIMEOUT_MS } from '../ping';
import { usageError } from './usage-error';

/** `--timeout S` of the commands that check hosts (`ping`, `doctor`): the yargs option. */
export const TIMEOUT_OPTION = {
  type: 'number',
  default: DEFAULT_PING_TIMEOUT_MS / 1000,
  describe: 'seconds allowed to connect, to start the server and per probe',
} as const;

/** The option's value in ms; anything but a positive number of seconds is a usage error. */
export function timeoutMsOf(value: unknown): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`--timeout must be a positive number of seconds, not ${String(value)}`);
  return seconds * 1000;
}
