import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { track, untrack } from './registry';
import { renderHostBlock, renderKnownHosts, type HostEntry } from './ssh-client-files';

export interface ClientConfig {
  dir: string;
  sshConfigFile: string;
  knownHostsFile: string;
  /** The ssh_config text: one Host block per volunteer, all pointing at `knownHostsFile`. */
  sshConfigText: string;
  /** Ready to merge into a child's environment: SSHCC_SSH_CONFIG and SSHCC_KNOWN_HOSTS. */
  env: { SSHCC_SSH_CONFIG: string; SSHCC_KNOWN_HOSTS: string };
  /** Host aliases in the order given, e.g. for SSHCC_HOSTS. */
  aliases: string[];
  remove(): Promise<void>;
}

/** Writes one ssh_config and one known_hosts covering all `volunteers` into a fresh temp dir. */
export async function makeClientConfig(volunteers: readonly HostEntry[]): Promise<ClientConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'sshcc-client-'));
  const sshConfigFile = join(dir, 'ssh_config');
  const knownHostsFile = join(dir, 'known_hosts');
  const sshConfigText = volunteers.map((v) => renderHostBlock(v, knownHostsFile)).join('\n');
  // ssh refuses a config file others can write; 0600 like the real ~/.ssh/config.
  await writeFile(sshConfigFile, sshConfigText, { mode: 0o600 });
  await writeFile(knownHostsFile, renderKnownHosts(volunteers), { mode: 0o600 });
  const tracked = {
    stop: async (): Promise<void> => {
      untrack(tracked);
      await rm(dir, { recursive: true, force: true });
    },
    killSync: (): void => rmSync(dir, { recursive: true, force: true }),
  };
  track(tracked);
  return {
    dir,
    sshConfigFile,
    knownHostsFile,
    sshConfigText,
    env: { SSHCC_SSH_CONFIG: sshConfigFile, SSHCC_KNOWN_HOSTS: knownHostsFile },
    aliases: volunteers.map((v) => v.alias),
    remove: tracked.stop,
  };
}
