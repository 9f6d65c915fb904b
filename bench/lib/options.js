'use strict';
// Command line of `npm run bench -- [options]`.
const { parseArgs } = require('node:util');
const os = require('node:os');

const PHASES = ['build', 'overhead', 'throughput', 'bytes', 'memory'];

const USAGE = `usage: npm run bench -- [options]
  --only LIST     phases to run, comma-separated: ${PHASES.join(',')} (default: all)
  --quick         fewer repetitions and jobs (to check the harness, not to quote)
  --project NAME  real project for the build phase: lua (default) or zlib
  --jobs N        make -jN for the real-project build, and slots per volunteer (default: cores)
  --reps N        repetitions of each build variant (default 5, --quick 2)
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: USAGE };
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : PHASES;
  const unknown = only.filter((name) => !PHASES.includes(name));
  if (unknown.length > 0) throw new Error(`unknown phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);
  const int = (text, fallback, name) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
    return n;
  };
  const quick = values.quick;
  return {
    phases: PHASES.filter((name) => only.includes(name)),
    allPhases: only.length === PHASES.length,
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
    profile: values.profile,
    keep: values.keep,
  };
}

module.exports = { readOptions, PHASES, USAGE };
