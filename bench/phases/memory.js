'use strict';
// Phase 5: the agent's memory with 64 worker channels open: 8 volunteers × 8 slots, 64 compiles at once.
// Each compile is tiny before preprocessing; on the volunteer its cc1 is stopped (SIGSTOP) as soon as it
// appears and continued once 64 channels are open or 60 s have passed, so every job holds its channel
// without taking the CPU that the other channels' start-up needs. (Letting 64 real compiles run instead
// starved sshcc-server's start past the agent's 10 s handshake timeout on 2 cores, and hosts got backed
// off; so did 64 channel starts at once, hence the waves below.) RSS is read with all 64 jobs in flight, and again after the build, with the channels idle in the
// pool; VmHWM gives the peak.
const fs = require('node:fs');
const path = require('node:path');
const { writeSources, slowSource } = require('../lib/trivial-sources');
const { runCommand } = require('../lib/run-command');
const { SSHCC, readJobLog, sleep } = require('../lib/sshcc');
const { memory, commandLines } = require('../lib/proc-stat');
const { holdCompilers } = require('../lib/hold-compilers');

const VOLUNTEERS = 8;

async function memoryPhase(ctx) {
  const { options, log } = ctx;
  const slots = options.memoryChannels / VOLUNTEERS;
  const { volunteers, config } = await ctx.startVolunteers(VOLUNTEERS);
  const env = ctx.sshccEnv('memory', config.aliases.map((a) => `${a}/${slots}`).join(' '), config);
  await ctx.coldAgent('memory');
  const channels = () => volunteers.reduce((n, v) => n + commandLines(v.processes()).filter((c) => /^\S*node\S* \S*sshcc-server\.js/.test(c)).length, 0);

  // One job first: the agent started and connected, as a build finds it after its first compile.
  const first = ctx.freshDir('memory-first');
  writeSources(first, 1, `mem_first_${Date.now()}`);
  await runCommand('make', ['-s', `CC=${SSHCC} gcc`], { cwd: first, env, check: true });
  const pid = ctx.agentPid('memory');
  const idle = memory(pid);

  const dir = ctx.freshDir('memory-burst');
  writeSources(dir, options.memoryChannels, `mem_${Date.now()}`, slowSource);
  const jobLog = path.join(dir, 'jobs.log');
  // Jobs start in waves of one per volunteer, each wave once the last one's compilers are held: a
  // burst of 64 channel starts at once overran the 10 s handshake timeout here (see the notes).
  const hold = holdCompilers(volunteers.map((v) => v.pid));
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.c'));
  const compiles = [];
  let inFlight = null;
  try {
    for (let at = 0; at < names.length; at += VOLUNTEERS) {
      for (const name of names.slice(at, at + VOLUNTEERS)) {
        compiles.push(runCommand(SSHCC, ['gcc', '-O2', '-c', name, '-o', name.replace(/\.c$/, '.o')], { cwd: dir, env: { ...env, SSHCC_LOG: jobLog } }));
      }
      const deadline = Date.now() + 30_000;
      while (hold.count() < compiles.length && Date.now() < deadline) await sleep(100);
    }
    await sleep(500);
    inFlight = { channels: channels(), held: hold.count(), ...memory(pid) };
  } finally {
    hold.release();
  }
  const results = await Promise.all(compiles);
  const run = { code: results.every((r) => r.code === 0) ? 0 : 1, stderr: results.map((r) => r.stderr).join('') };
  if (run.code !== 0) throw new Error(`memory: a compile failed: ${run.stderr.trim().slice(-400)}`);
  await sleep(1000);
  const after = memory(pid);
  const openAfter = channels();
  const ran = readJobLog(jobLog);
  if (ran.remote < options.memoryChannels) throw new Error(`memory: only ${ran.remote}/${options.memoryChannels} compiles ran on a volunteer (${ran.localReasons.join('; ')})`);
  log(`  ${ran.remote}/${options.memoryChannels} remote; channels open: ${inFlight.channels} with jobs in flight, ${openAfter} after; RSS ${(after.rssKiB / 1024).toFixed(0)} MB (peak ${(after.hwmKiB / 1024).toFixed(0)} MB)`);
  const mib = (kib) => (kib / 1024).toFixed(1);
  return {
    key: 'memory',
    title: `Agent memory: ${VOLUNTEERS} volunteers × ${slots} slots, ${options.memoryChannels} compiles at once`,
    headers: ['state', 'worker channels open', 'agent RSS MiB'],
    rows: [
      ['after its first job (1 connection)', '1', mib(idle.rssKiB)],
      [`${inFlight.held} jobs in flight (compilers held)`, String(inFlight.channels), mib(inFlight.rssKiB)],
      ['after the burst, channels idle in the pool', String(openAfter), mib(after.rssKiB)],
      ['peak (VmHWM)', '–', mib(after.hwmKiB)],
    ],
    notes: [
      `Channels counted as sshcc-server processes under the volunteers' sshd; ${ran.remote}/${options.memoryChannels} compiles ran remotely.`,
      'Jobs were started 8 at a time with the volunteers\' compilers held (SIGSTOP), so that 64 channels are open with jobs in flight without 64 compilers competing with the servers\' start-up for 2 cores.',
    ],
    targets: [
      {
        what: `agent RSS with ${Math.min(openAfter, inFlight.channels)} worker channels open`,
        target: '≤ 120 MB',
        measured: `${(Math.max(after.rssKiB, inFlight.rssKiB) / 1024).toFixed(0)} MiB (peak ${(after.hwmKiB / 1024).toFixed(0)})`,
        met: Math.max(after.rssKiB, inFlight.rssKiB) / 1024 <= 120 && Math.min(openAfter, inFlight.channels) >= options.memoryChannels,
      },
    ],
    data: { volunteers: VOLUNTEERS, slots, channelsInFlight: inFlight.channels, channelsAfter: openAfter, rssKiB: { afterFirstJob: idle.rssKiB, inFlight: inFlight.rssKiB, withChannelsIdle: after.rssKiB, peak: after.hwmKiB }, remote: ran.remote },
  };
}

module.exports = { memoryPhase };
