import { basename } from 'node:path';
import { readCachedManifest } from '@sshcc/store';

/** Pack ids are sha256; twelve hex digits tell apart any packs a user will meet, as in the agent log. */
export const SHORT_PACK_ID = 12;

/**
 * What each pack is, for those this machine built and still has the manifest of: the driver's name and
 * its version line, `gcc (Debian 12.2.0-14) 12.2.0`. A pack built elsewhere (another agent pushed it)
 * is left out: its id is all that is known here.
 */
export async function packCompilers(ids: Iterable<string>, packsDir: string): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const manifests = await Promise.all(unique.map((id) => readCachedManifest(packsDir, id)));
  const compilers = new Map<string, string>();
  unique.forEach((id, i) => {
    const manifest = manifests[i];
    if (manifest) compilers.set(id, `${basename(manifest.driver)} ${manifest.fingerprint.version}`);
  });
  return compilers;
}

/** `ac983e49fb33 gcc (Debian 12.2.0-14) 12.2.0`, or the short id alone when the compiler is not known here. */
export function packLabel(id: string, compiler: string | null | undefined): string {
  const short = id.slice(0, SHORT_PACK_ID);
  return compiler ? `${short} ${compiler}` : `${short} (not in this machine's pack cache)`;
}
