import { constants } from 'node:os';

/**
 * Ends this process the way the compiler ended: with its exit code, or killed by the same signal
 * (a parent such as make can then tell "interrupted" from "failed").
 */
export function exitLike(code: number | null, signal: NodeJS.Signals | number | null): never {
  if (signal !== null) {
    const name = typeof signal === 'number' ? signalName(signal) : signal;
    if (name !== undefined) {
      process.removeAllListeners(name);
      try {
        process.kill(process.pid, name);
      } catch {
        // an unknown or uncatchable signal: fall through to the shell's convention
      }
    }
    process.exit(128 + (typeof signal === 'number' ? signal : (constants.signals[signal] ?? 0)));
  }
  process.exit(code ?? 0);
}

function signalName(signo: number): NodeJS.Signals | undefined {
  for (const [name, value] of Object.entries(constants.signals)) if (value === signo) return name as NodeJS.Signals;
  return undefined;
}
