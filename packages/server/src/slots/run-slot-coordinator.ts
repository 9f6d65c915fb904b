import { watch } from 'node:fs';
import { dirname } from 'node:path';
import { loadServerConfig, serverConfigPath } from '../config';
import { coordinatorAddress } from './coordinator-name';
import { SlotCoordinator } from './slot-coordinator';

/**
 * `sshcc-server --slots-coordinator`: the account's coordinator, until it has been idle a while. Says
 * `ready` on stdout once it listens (or once it found another listening), which the starting server waits for.
 */
export async function runSlotCoordinator(env: NodeJS.ProcessEnv): Promise<number> {
  let slots = loadServerConfig(env).slots;
  const coordinator = new SlotCoordinator({
    // A file that no longer loads keeps the figure in force: the sessions that read it say why.
    slots: () => {
      try {
        slots = loadServerConfig(env).slots;
      } catch {
        // kept
      }
      return slots;
    },
    watchConfig: (changed) => {
      try {
        // The directory, not the file: an editor saves by rename, and the file may not exist yet.
        const watcher = watch(dirname(serverConfigPath(env)), { persistent: false }, changed);
        watcher.on('error', () => undefined);
        return () => watcher.close();
      } catch {
        // No config dir: the owner has set nothing; slots are the CPU count for this coordinator's life.
        return () => undefined;
      }
    },
  });
  const listening = await coordinator.listen(coordinatorAddress(env));
  process.stdout.write(listening ? 'ready\n' : 'exists\n');
  process.stdout.end();
  if (!listening) return 0;
  await coordinator.closed;
  return 0;
}
