'use strict';
// Compile lines run one after another with each one's own wall time: bash appends $EPOCHREALTIME to a
// file before every line and after the last (a builtin and an append: microseconds). A lost packet costs
// one job a retransmit; per-job times let the report give the typical job (median) beside the mean.
const fs = require('node:fs');
const path = require('node:path');
const { timedLoop, shq } = require('./timed-loop');

/** { wallMs, jobMs: number[] } for `lines` run in order in `cwd` (see timedLoop). */
async function stampedLoop(lines, { cwd, env, scriptDir }) {
  const stamps = path.join(scriptDir, `stamps-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  const stamp = `echo $EPOCHREALTIME >> ${shq(stamps)}`;
  try {
    const loop = await timedLoop([...lines.flatMap((line) => [stamp, line]), stamp], { cwd, env, scriptDir });
    const times = fs.readFileSync(stamps, 'utf8').trim().split('\n').map(Number);
    const jobMs = times.slice(1).map((t, i) => (t - times[i]) * 1000);
    return { wallMs: loop.wallMs, jobMs };
  } finally {
    fs.rmSync(stamps, { force: true });
  }
}

module.exports = { stampedLoop };
