import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedSshConfig } from './resolved-ssh-config';
import { parseKnownHosts, type KnownHostsEntry } from './parse-known-hosts';

/** $SSHCC_KNOWN_HOSTS (a `:`-separated list) replaces ssh's UserKnownHostsFile + GlobalKnownHostsFile. */
export function knownHostsFiles(config: Pick<ResolvedSshConfig, 'userKnownHostsFiles' | 'globalKnownHostsFiles'>, env: NodeJS.ProcessEnv): string[] {
  const override = env.SSHCC_KNOWN_HOSTS;
  if (override) return override.split(path.delimiter).filter((file) => file !== '');
  return [...config.userKnownHostsFiles, ...config.globalKnownHostsFiles].filter((file) => file !== 'none');
}

/** Every entry of the files that exist; a missing file is simply empty, as for ssh. */
export async function loadKnownHosts(files: readonly string[]): Promise<KnownHostsEntry[]> {
  const texts = await Promise.all(
    files.map(async (file) => {
      try {
        return parseKnownHosts(await readFile(file, 'utf8'), file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return [];
        throw error;
      }
    }),
  );
  return texts.flat();
}
