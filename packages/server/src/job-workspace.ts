import { readdirSync, rmSync, utimesSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createJobDir, type JobDir } from './sandbox';
import { MirrorTree } from './mirror-files';

/** One job's view of its channel's workspace. */
export interface WorkspaceJob {
  /** The compiler's TMPDIR, and its cwd when there is no mirror; empty when the job begins. */
  readonly work: string;
  /** The channel's mirror of client files, as the last job left it. */
  readonly mirror: MirrorTree;
  /** The compiler ran in `dir` of the mirror: what it left there goes with the job. */
  ranIn(dir: string): void;
  /** Removes everything the job left (its outputs, temp files, a written source); idempotent. */
  end(): Promise<void>;
}

/**
 * The folder a channel's jobs run in, one after another: `work/`, the mirror's `root/` and `spare/`. It is made
 * with the channel's first job and goes with the channel (sandbox.ts registers it, so an exit or the
 * watchdog removes it), not with each job: new inodes are what a job dir cost (mirror-files.ts).
 * Between jobs it holds no job's files, only the mirror of the last job's sources.
 */
export class JobWorkspace {
  private made: { readonly dir: JobDir; readonly mirror: MirrorTree } | null = null;
  /** The last job, ended (its reply has gone) or not: a channel runs one job at a time. */
  private last: WorkspaceJob | null = null;

  async begin(): Promise<WorkspaceJob> {
    // Its end is the rule; a path that missed it must not leave its files to this job.
    await this.last?.end();
    const { dir, mirror } = await this.ensure();
    const work = join(dir.path, 'work');
    const ranIn = new Set<string>();
    let ended: Promise<void> | null = null;
    const job: WorkspaceJob = {
      work,
      mirror,
      ranIn: (path) => void ranIn.add(path),
      end: () =>
        (ended ??= Promise.resolve().then(() => {
          emptyDir(work, () => false);
          for (const path of ranIn) emptyDir(path, (entry) => mirror.owns(entry));
        })),
    };
    this.last = job;
    return job;
  }

  /**
   * The workspace, made if this is the first job or if it has gone meanwhile (another server's sweep
   * of an idle one, a user's `rm`). Its time is set now: the sweep (sweep-stale-job-dirs.ts) goes by it.
   */
  private async ensure(): Promise<{ dir: JobDir; mirror: MirrorTree }> {
    if (this.made !== null) {
      const now = new Date();
      try {
        utimesSync(this.made.dir.path, now, now);
        return this.made;
      } catch {
        await this.made.dir.remove();
      }
    }
    const dir = await createJobDir();
    mkdirSync(join(dir.path, 'work'), { mode: 0o700 });
    this.made = { dir, mirror: new MirrorTree(join(dir.path, 'root'), join(dir.path, 'spare')) };
    return this.made;
  }
}

/** Removes every entry of `dir` but those `keep` names (by path); a dir that is not there holds nothing. */
function emptyDir(dir: string, keep: (path: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (!keep(path)) rmSync(path, { recursive: true, force: true, maxRetries: 3 });
  }
}
