// The frame every end-to-end build file shares. Before all tests: a work dir where `prepare` puts the
// projects and their local reference builds. After each test: what it asked to be undone (latest
// first), its session stopped, the objects its builds wrote removed, so the next test builds from
// scratch. After all: every testkit process stopped and the work dir removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll } from '@sshcc/testkit';
import { OBJ_DIR } from './build-reference';
import { BuildSession, type BuildSessionOptions } from './build-session';

export interface BuildFixtureOptions {
  /** The work dir's mkdtemp prefix, e.g. `sshcc-e2e-work-`. */
  readonly name: string;
  /** Makes the projects under `work` and builds their references, once. */
  readonly prepare: (work: string) => void;
  readonly prepareMs: number;
  /** Project dirs whose OBJ_DIR a test's build writes. */
  readonly projects: () => readonly string[];
  /** Limit of the after-each step. Default 30 s. */
  readonly cleanupMs?: number;
}

export class BuildFixture {
  private current: BuildSession | undefined;
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  /** Starts this test's session; it is stopped after the test. */
  async start(options: BuildSessionOptions): Promise<BuildSession> {
    this.current = await BuildSession.start(options);
    return this.current;
  }

  /** This test's session (from start()). */
  get session(): BuildSession {
    if (this.current === undefined) throw new Error('no session started in this test');
    return this.current;
  }

  /** Undone after this test, before its session stops: some of what a test adds lives in the session's dir. */
  defer(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  /** The after-each step, but for removing objects. */
  async endTest(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    await this.current?.stop();
    this.current = undefined;
  }
}

/** Registers the hooks (beforeAll, afterEach, afterAll) of a file of end-to-end builds. */
export function useBuildFixture(options: BuildFixtureOptions): BuildFixture {
  const fixture = new BuildFixture();
  let work: string | undefined;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), options.name));
    options.prepare(work);
  }, options.prepareMs);
  afterEach(async () => {
    await fixture.endTest();
    for (const project of options.projects()) rmSync(join(project, OBJ_DIR), { recursive: true, force: true });
  }, options.cleanupMs ?? 30_000);
  afterAll(async () => {
    await stopAll();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });
  return fixture;
}
