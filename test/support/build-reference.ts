// The local reference build the sshcc builds are held against: same project folder, same O= (so the
// cwd in DW_AT_comp_dir and the targets in the .d files read alike), then moved aside to `ref`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compareBuilds } from './build-compare';
import { moveBuild } from './build-project';

export const REF_DIR = 'ref';
export const OBJ_DIR = 'build';

/** Builds `project` locally into REF_DIR; returns how long that took (ms), for figures printed beside sshcc's. */
export function buildReference(project: string, extraArgs: readonly string[] = []): number {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', LC_ALL: 'C' };
  delete env.MAKEFLAGS;
  delete env.MFLAGS;
  const result = spawnSync('make', ['-s', '-j2', `O=${OBJ_DIR}`, 'CC=gcc', 'CXX=g++', ...extraArgs], { cwd: project, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`local reference build failed in ${project}: ${result.stderr}`);
  moveBuild(project, OBJ_DIR, REF_DIR);
  return Date.now() - started;
}

/** Jest expectations: the objects named (`build/x.o`) and their .d files match the reference build's. */
export function expectMatchesReference(project: string, objects: readonly string[]): void {
  const names = objects.map((path) => path.slice(path.lastIndexOf('/') + 1));
  const comparison = compareBuilds(join(project, REF_DIR), join(project, OBJ_DIR), names);
  expect(comparison.differences).toEqual([]);
  expect(comparison.compared).toHaveLength(2 * objects.length);
}
