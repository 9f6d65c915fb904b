import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packIdOf, PackManifestSchema, type PackManifest } from '@sshcc/protocol';
import { cacheRoot } from '../cache/cache-dir';

/** The agent's built packs: `$XDG_CACHE_HOME/sshcc/packs`, each as `<id>.json` and `<id>.tar.br`. */
export function agentPacksDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'packs');
}

/**
 * The manifest of a pack this machine built, or null when it is not there (built elsewhere, or the
 * cache was cleared). A file that does not parse or does not hash to its name is as good as absent:
 * what a report says a pack is must be what that id names.
 */
export function readCachedManifest(packsDir: string, id: string): Promise<PackManifest | null> {
  if (!/^[0-9a-f]{64}$/.test(id)) return Promise.resolve(null);
  return readManifestFile(join(packsDir, `${id}.json`), id);
}

/**
 * The manifest in `file` when it parses and hashes to `id`, else null: the agent's kept manifests and a
 * volunteer's packs are both read this way, so neither trusts a file its id does not name.
 */
export async function readManifestFile(file: string, id: string): Promise<PackManifest | null> {
  try {
    const parsed = PackManifestSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success && packIdOf(parsed.data) === id ? parsed.data : null;
  } catch {
    return null;
  }
}
