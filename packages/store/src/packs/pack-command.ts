import { join } from 'node:path';
import type { OpenPack } from './pack-store';

/**
 * How a job runs a pack's driver: under the packed loader and libraries (the volunteer's may be older
 * than the ones it was linked against), with `-B` naming the pack's programs, which gcc's driver
 * searches before any directory of the volunteer's own gcc.
 */
export function packCommand(pack: OpenPack): { path: string; args: string[] } {
  const { dir, manifest } = pack;
  return {
    path: join(dir, manifest.loader),
    args: ['--library-path', join(dir, manifest.libraries), join(dir, manifest.driver), `-B${join(dir, manifest.programs)}/`],
  };
}
