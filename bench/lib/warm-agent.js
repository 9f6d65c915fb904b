'use strict';
// A warm agent: running, connected, with as many worker channels open as a build will use. Some
// parallel trivial compiles through it do that (the pool opens channels on demand). They must all have
// run on the volunteer: on a badly overloaded machine sshcc-server can miss the agent's handshake
// timeout, the host is backed off and everything compiles locally, which would make every figure after
// it meaningless. Then the agent is restarted and the warm-up tried again, and at last the phase fails.
const path = require('node:path');
const { writeSources } = require('./trivial-sources');
const { runCommand } = require('./run-command');
const { SSHCC, readJobLog, stopAgent, sleep } = require('./sshcc');

const TRIES = 3;

async function warmAgent(ctx, env, parallel, label) {
  let why = '';
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    const dir = ctx.freshDir(`warm-${label}`);
    const count = parallel * 2;
    writeSources(dir, count, `warm_${label.replace(/\W/g, '_')}_${Date.now()}`);
    const jobLog = path.join(dir, 'jobs.log');
    const run = await runCommand('make', ['-s', `-j${parallel}`, `CC=${SSHCC} gcc`], { cwd: dir, env: { ...env, SSHCC_LOG: jobLog } });
    if (run.code !== 0) throw new Error(`warming the agent failed: ${run.stderr.trim().slice(-400)}`);
    const ran = readJobLog(jobLog);
    if (ran.remote === count) return;
    why = ran.localReasons.join('; ');
    ctx.log(`warm-up ${attempt}/${TRIES}: ${ran.remote}/${count} compiled remotely (${why}); restarting the agent`);
    await stopAgent(env);
    await sleep(5000);
  }
  throw new Error(`the volunteer is not usable (after ${TRIES} warm-ups): ${why}`);
}

/** Throws when a measured run did not compile everything on the volunteer (its figures would be local ones). */
function requireRemote(what, ran, expected) {
  if (ran.remote < expected) {
    throw new Error(`${what}: only ${ran.remote}/${expected} compiles ran on the volunteer (${ran.localReasons.join('; ')}); figures discarded`);
  }
}

/** Throws when a measured run was not answered entirely from the agent's cache. */
function requireCached(what, ran, expected) {
  if (ran.cached < expected) {
    throw new Error(`${what}: only ${ran.cached}/${expected} compiles were answered from the agent's cache (${ran.remote} remote; ${ran.localReasons.join('; ')}); figures discarded`);
  }
}

module.exports = { warmAgent, requireRemote, requireCached };
