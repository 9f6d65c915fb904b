import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { track, untrack, type Tracked } from './registry';

/**
 * The default name: the default allowlist of sshcc-server takes it (a target-style prefix before `gcc`),
 * core's argv analysis reads it as a gcc driver, and it shadows no real compiler on PATH.
 */
export const STAND_IN_NAME = 'standin-gcc';

const SOURCE = resolve(__dirname, '..', 'stand-in', 'stand-in.c');

export interface StandInOptions {
  /** How long each compile sleeps, unless its source says otherwise (`sshcc-standin-ms=N`). Default 0. */
  readonly ms?: number;
  /** The program's name in its folder. Default `standin-gcc`. */
  readonly name?: string;
}

export interface StandIn {
  /** The folder holding it alone: put it first on a PATH (a volunteer's `env: { PATH }`, the client's make). */
  readonly dir: string;
  readonly name: string;
  readonly path: string;
  /** `dir` before the given PATH. */
  pathWith(path: string | undefined): string;
  /** Another compile time for this copy from now on. */
  setMs(ms: number): void;
  remove(): void;
}

let built: Promise<string> | undefined;

/** Compiles stand-in.c once per machine and source (a folder named by its hash), with this machine's cc. */
function buildOnce(): Promise<string> {
  built ??= (async () => {
    const source = readFileSync(SOURCE);
    const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
    const binary = join(tmpdir(), `sshcc-standin-${hash}`, STAND_IN_NAME);
    if (existsSync(binary)) return binary;
    mkdirSync(join(binary, '..'), { recursive: true });
    // Built beside and renamed: a parallel jest worker sees the whole binary or none.
    const temp = `${binary}.${process.pid}`;
    await promisify(execFile)('cc', ['-O2', '-o', temp, SOURCE]);
    renameSync(temp, binary);
    return binary;
  })();
  built.catch(() => (built = undefined));
  return built;
}

/**
 * A copy of the stand-in compiler in a fresh folder. Copies of one build are byte for byte equal, so the
 * client's and every volunteer's fingerprint agree while each copy's `standin-ms` file gives its own time:
 * one slow volunteer and one fast, with the same compiler.
 */
export async function installStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const binary = await buildOnce();
  const name = options.name ?? STAND_IN_NAME;
  const dir = mkdtempSync(join(tmpdir(), 'sshcc-standin-'));
  const path = join(dir, name);
  copyFileSync(binary, path);
  const msFile = join(dir, 'standin-ms');
  const setMs = (ms: number): void => writeFileSync(msFile, `${Math.max(0, Math.round(ms))}\n`);
  setMs(options.ms ?? 0);
  const remove = (): void => {
    untrack(tracked);
    rmSync(dir, { recursive: true, force: true });
  };
  const tracked: Tracked = { stop: async () => remove(), killSync: () => rmSync(dir, { recursive: true, force: true }) };
  track(tracked);
  return { dir, name, path, pathWith: (p) => (p ? `${dir}:${p}` : dir), setMs, remove };
}
