// A build of small C sources through a test agent, set against what gcc here writes for the same
// commands: the end-to-end tests that check whose object a build ended with (sampled verification,
// release matches) read it the same way.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsData } from '../../packages/client/src/views/stats/stats-data';
import { compareBuilds, type BuildComparison } from './build-compare';
import { SSHCC } from './build-project';
import { runCaptured } from './captured-run';
import type { TestAgent } from './security-agent';
import { mustRun } from './split-compile';

/** A source `src/<name>.c` and the flags it is compiled with. */
export type FlaggedSource = readonly [name: string, flags: readonly string[]];

/**
 * The objects sshcc wrote in `objDir` against what gcc here writes for the same commands, built in the
 * same cwd with the same -o (debug info names both), as the other end-to-end tests compare them: byte for
 * byte, and -g objects apart from the producer string (which records -fdirectives-only). The sshcc build's
 * objects are put back afterwards.
 */
export function compareWithLocal(project: string, objDir: string, sources: readonly FlaggedSource[]): Pick<BuildComparison, 'identical' | 'debugEquivalent' | 'differences'> {
  const dir = join(project, objDir);
  const viaSshcc = `${dir}.sshcc`;
  renameSync(dir, viaSshcc);
  mkdirSync(dir);
  for (const [name, flags] of sources) mustRun(['gcc', ...flags, '-c', `src/${name}.c`, '-o', `${objDir}/${name}.o`], project);
  const { identical, debugEquivalent, differences } = compareBuilds(dir, viaSshcc);
  rmSync(dir, { recursive: true });
  renameSync(viaSshcc, dir);
  return { identical, debugEquivalent, differences };
}

/** `sshcc stats --json` of the agent. */
export async function agentStats(agent: TestAgent, cwd: string): Promise<StatsData> {
  const run = await runCaptured([SSHCC, 'stats', '--json'], { cwd, env: agent.env });
  if (run.stderr !== '') throw new Error(`sshcc stats: ${run.stderr}`);
  return JSON.parse(run.stdout) as StatsData;
}
