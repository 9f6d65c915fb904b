'use strict';
// Command line of `npm run bench -- [options]`.
const { parseArgs } = require('node:util');
const os = require('node:os');

const PHASES = ['build', 'overhead', 'throughput', 'bytes', 'memory', 'zstd'];
/**
 * Phases only run when asked for: `wan` needs root and builds a shaped network of its own; `packs` too (and
 * hides compilers); `perjob` needs root (a throwaway user) and takes ~10 minutes; `scale` starts 32 sshd and
 * takes up to ~10 minutes.
 */
const EXTRA_PHASES = ['wan', 'packs', 'perjob', 'scale', 'slots'];
const ALL_PHASES = [...PHASES, ...EXTRA_PHASES];

const USAGE = `usage: npm run bench -- [options]
  --only LIST     phases to run, comma-separated: ${ALL_PHASES.join(',')} (default: ${PHASES.join(',')})
  --wan           the WAN phase (root only): alone, just it; with --only, added to the list
  --wan-delay MS  its link's delay each way (default 25)
  --wan-rate MBIT its link's rate each way (default 20)
  --wan-loss PCT  its link's random loss each way (default 0.5)
  --quick         fewer repetitions and jobs (to check the harness, not to quote)
  --project NAME  real project for the build phase: lua (default) or zlib
  --jobs N        make -jN for the real-project build, and slots per volunteer (default: cores)
  --reps N        repetitions of each build variant (default 5, --quick 2; WAN phase 3, --quick 1)
  --profile       run every agent under node --cpu-prof; profiles and their summaries in bench/.work/profiles
  --keep          keep bench/.work/trees (sources are always kept in bench/.work/sources)
  -h, --help`;

function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      project: { type: 'string', default: 'lua' },
      jobs: { type: 'string' },
      reps: { type: 'string' },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      wan: { type: 'boolean', default: false },
      'wan-delay': { type: 'string' },
      'wan-rate': { type: 'string' },
      'wan-loss': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: USAGE };
  const listed = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : values.wan ? [] : PHASES;
  const only = values.wan ? [...listed, 'wan'] : listed;
  const unknown = only.filter((name) => !ALL_PHASES.includes(name));
  if (unknown.length > 0) throw new Error(`unknown phase ${unknown.join(', ')} (phases: ${ALL_PHASES.join(', ')})`);
  const int = (text, fallback, name) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
    return n;
  };
  const num = (text, fallback, name, ok) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new Error(`--${name}: ${text} is out of range`);
    return n;
  };
  const quick = values.quick;
  return {
    phases: ALL_PHASES.filter((name) => only.includes(name)),
    allPhases: PHASES.every((name) => only.includes(name)),
    quick,
    project: values.project,
    jobs: int(values.jobs, os.cpus().length, 'jobs'),
    reps: int(values.reps, quick ? 2 : 5, 'reps'),
    // Sequential trivial compiles per variant and repetition (distcc over ssh gets fewer: ~1.3 s each).
    overheadJobs: quick ? 20 : 60,
    overheadSshJobs: quick ? 5 : 15,
    overheadReps: quick ? 2 : 5,
    startupRuns: quick ? 40 : 200,
    throughputJobs: 500,
    throughputParallel: 16,
    throughputReps: quick ? 1 : 3,
    memoryChannels: 64,
    // One agent, volunteers × slots channels; the stand-in compiler sleeps sleepMs per job.
    scale: quick
      ? { volunteers: 8, slots: 8, jobs: 1000, sleepMs: 2000, chaos: { everyMs: 8000, downMs: 3000 } }
      : { volunteers: 32, slots: 8, jobs: 10000, sleepMs: 8000, chaos: { everyMs: 25000, downMs: 8000 } },
    wanShape: {
      delayMs: num(values['wan-delay'], 25, 'wan-delay', (n) => n >= 0),
      rateMbit: num(values['wan-rate'], 20, 'wan-rate', (n) => n > 0),
      lossPercent: num(values['wan-loss'], 0.5, 'wan-loss', (n) => n >= 0 && n < 100),
    },
    wanReps: int(values.reps, quick ? 1 : 3, 'reps'),
    // Trivial compiles one after another through the far link, per repetition (distcc over ssh: fewer).
    wanOverheadJobs: quick ? 20 : 40,
    wanOverheadSshJobs: quick ? 3 : 8,
    wanOverheadReps: quick ? 1 : 3,
    profile: values.profile,
    keep: values.keep,
  };
}

module.exports = { readOptions, PHASES, ALL_PHASES, USAGE };
