import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A channel's workspace on a volunteer (sshcc-server's job-workspace.ts): it lives as long as the channel. */
const WORKSPACE = /^sshcc-job-/;
/** What a compile writes (an object, its companions, gcc's temp files): never a mirrored source. */
const JOB_OUTPUT = /\.(o|obj|dwo|gcno|su|s|ci|tmp)$/;

/**
 * What jobs left in a volunteer's TMPDIR: every entry but the channels' workspaces, and in those every
 * file but the mirror of the last job's sources under `root/`, where an object still counts. Between
 * jobs a workspace holds nothing else; once its channel has closed it is gone too.
 */
export function jobLeftovers(tmp: string): string[] {
  return readdirSync(tmp).flatMap((name) => {
    const path = join(tmp, name);
    if (!WORKSPACE.test(name)) return [path];
    return filesUnder(path).filter((file) => !file.startsWith(join(path, 'root', '/')) || JOB_OUTPUT.test(file));
  });
}

function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}
