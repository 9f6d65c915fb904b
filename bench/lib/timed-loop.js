'use strict';
// Runs shell command lines one after another in one bash and reports the wall time of the loop (bash's
// own clock, so bash's start-up is not charged) and the CPU of every process the loop started, taken
// from bash's `times` builtin: getrusage(RUSAGE_CHILDREN), which covers each child and every descendant
// it waited for (a compiler driver's cc1, distcc's cpp and ssh). Daemons (an agent) are not included.
const fs = require('node:fs');
const path = require('node:path');
const { runCommand } = require('./run-command');

/** `times` prints e.g. "0m1.234s 0m0.056s" (user, system). */
function parseTimesLine(line) {
  const part = (text) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(text);
    if (!m) throw new Error(`unexpected \`times\` output: ${line}`);
    return (Number(m[1]) * 60 + Number(m[2])) * 1000;
  };
  const [user, sys] = line.trim().split(/\s+/);
  return part(user) + part(sys);
}

/**
 * { wallMs, childCpuMs } for `lines` run in order by bash in `cwd`; any failing line fails the loop.
 * Each line's stdout is discarded; stderr is collected (and shown when the loop fails).
 */
async function timedLoop(lines, { cwd, env, scriptDir }) {
  const stamp = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const script = path.join(scriptDir, `loop-${stamp}.sh`);
  const out = path.join(scriptDir, `loop-${stamp}.out`);
  // The figures go to a file, not to an inherited descriptor: an agent started by the loop's first
  // compile would inherit it, and whoever reads the pipe would wait for the agent to exit.
  fs.writeFileSync(
    script,
    ['set -e', 'exec 1>/dev/null', 'start=$EPOCHREALTIME', ...lines, 'end=$EPOCHREALTIME', `{ echo "$start $end"; times; } > ${shq(out)}`, ''].join('\n'),
  );
  try {
    const run = await runCommand('bash', [script], { cwd, env });
    if (run.code !== 0) throw new Error(`loop failed (${run.code ?? run.signal}): ${run.stderr.trim().split('\n').slice(-5).join('\n')}`);
    const [clock, , children] = fs.readFileSync(out, 'utf8').trim().split('\n');
    const [start, end] = clock.split(' ').map(Number);
    return { wallMs: (end - start) * 1000, childCpuMs: parseTimesLine(children), stderr: run.stderr };
  } finally {
    fs.rmSync(script, { force: true });
    fs.rmSync(out, { force: true });
  }
}

/** Quotes one word for bash. */
function shq(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${String(word).replace(/'/g, `'\\''`)}'`;
}

module.exports = { timedLoop, shq, parseTimesLine };
