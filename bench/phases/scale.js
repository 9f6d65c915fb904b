'use strict';
// Scale (issue 18): one agent driving 32 volunteers × 8 slots = 256 channels (quick: 8 × 8), a build of
// 10,000 jobs (quick: 1,000) through the C shim with make -j<slots in all>, while volunteers are killed and
// started again at random. The compiler is the testkit's stand-in (sleeps, writes a fixed function of its
// input), so 256 compiles at once cost the 2 cores nothing and the agent's own cost shows. Reported: failed
// jobs (make -k, every object checked), the agent's peak RSS, its CPU per job, jobs/s against what the
// stand-in's sleep allows, and the queue's decision time at that many slots, timed alone.
const fs = require('node:fs');
const path = require('node:path');
const { installStandIn } = require('@sshcc/testkit');
const { runCommand } = require('../lib/run-command');
const { SSHCC, readJobLog } = require('../lib/sshcc');
const { cpuTimes, cpuDelta, memory } = require('../lib/proc-stat');
const { cpuSnapshot, busyFraction } = require('../lib/cpu-busy');
const { writeScaleSources, wrongObjects } = require('../lib/scale-sources');
const { startChaos } = require('../lib/volunteer-chaos');
const { timeQueueDecision } = require('../lib/queue-decision');

async function scalePhase(ctx) {
  const { options, log } = ctx;
  const { volunteers: count, slots, jobs, sleepMs, chaos } = options.scale;
  const channels = count * slots;
  const standIn = await installStandIn({ ms: sleepMs });
  ctx.cleanups.push(async () => standIn.remove());
  log(`  starting ${count} volunteers`);
  // A TMPDIR of their own for the volunteers' job dirs: other sshcc servers and tests on this machine share
  // /tmp, and a run once saw ~64 live job dirs vanish at once under their compiles (the stand-in's log said
  // "cannot create sN.o: No such file or directory"), not reproduced since.
  const tmp = ctx.dir('scale-tmp');
  // Each volunteer's own cap (server.json `slots`) is the slots listed for it: the default, its CPU count
  // (2 here), held the run to 64 of its 256 channels once volunteer-wide slots came in.
  const configHome = ctx.dir('scale-config');
  fs.mkdirSync(path.join(configHome, 'sshcc'), { recursive: true });
  fs.writeFileSync(path.join(configHome, 'sshcc', 'server.json'), JSON.stringify({ slots }));
  const { volunteers, config } = await ctx.startVolunteers(count, { env: { PATH: standIn.pathWith(process.env.PATH), TMPDIR: tmp, XDG_CONFIG_HOME: configHome } });
  const hosts = config.aliases.map((a) => `${a}/${slots}`).join(' ');
  const env = { ...ctx.sshccEnv('scale', hosts, config), PATH: standIn.pathWith(process.env.PATH) };
  const cc = `CC=${SSHCC} ${standIn.name}`;
  await ctx.coldAgent('scale');

  // Channels open on demand and every one starts an sshcc-server (a Node process): open them in waves,
  // so 256 server starts do not all fall on the 2 cores at once. The warm-up's jobs take the measured
  // jobs' time, so that the agent's estimate of every host is right when the measured build starts.
  for (let parallel = count; ; parallel = Math.min(channels, parallel * 2)) {
    const dir = ctx.freshDir(`scale-warm-${parallel}`);
    writeScaleSources(dir, parallel, `warm${parallel}_${Date.now()}`);
    const jobLog = path.join(dir, 'jobs.log');
    await runCommand('make', ['-s', `-j${parallel}`, cc], { cwd: dir, env: { ...env, SSHCC_LOG: jobLog }, check: true });
    log(`  warm-up -j${parallel}: ${readJobLog(jobLog).remote}/${parallel} remote`);
    if (parallel === channels) break;
  }

  const dir = ctx.freshDir('scale');
  const names = writeScaleSources(dir, jobs, `scale_${Date.now()}`);
  const jobLog = path.join(dir, 'jobs.log');
  const pid = ctx.agentPid('scale');
  const agentLogFile = path.join(env.SSHCC_DIR, 'agent.log');
  const agentLogBefore = fs.statSync(agentLogFile).size;
  const before = cpuTimes(pid);
  const busyBefore = cpuSnapshot();
  const striking = startChaos(volunteers, { everyMs: chaos.everyMs, downMs: chaos.downMs, log });
  // A quarter more compiles than slots, so that a job waits in the queue whenever a slot frees: each job
  // also spends time outside any slot (the shim's start, its answer, make reaping it and forking the
  // next), ~1 s on this 2-core machine with 256 of them: with -j<slots>, 16% of the slot-time of 256
  // slots held no job (0.838), with -j<1.25 × slots> 5% (0.951); at 64 slots it made no difference.
  const makeJobs = channels + channels / 4;
  log(`  ${jobs} jobs, make -k -j${makeJobs}, each compile sleeping ${sleepMs} ms`);
  const run = await runCommand('make', ['-s', '-k', `-j${makeJobs}`, cc], { cwd: dir, env: { ...env, SSHCC_LOG: jobLog } });
  const { kills, downMs } = await striking.stop();
  const cpu = cpuDelta(before, cpuTimes(pid));
  const busy = busyFraction(busyBefore, cpuSnapshot());
  const mem = memory(pid);
  const wrong = wrongObjects(dir, names);
  // What made a compile fail on a volunteer (the agent reruns it here and keeps no copy of its stderr).
  const errorsLog = path.join(standIn.dir, 'standin-errors.log');
  const standInErrors = fs.existsSync(errorsLog) ? fs.readFileSync(errorsLog, 'utf8').split('\n').filter(Boolean) : [];
  const ran = readJobLog(jobLog);
  // How much of the slots' time a job held them (SSHCC_LOG's per-job ms, from slot granted to answer).
  const slotBusy = fs.readFileSync(jobLog, 'utf8').split('\n').reduce((sum, line) => sum + Number(/\((\d+) ms\)$/.exec(line)?.[1] ?? 0), 0) / (channels * run.ms);
  // Stragglers started a second time during the build (ARCHITECTURE.md, "Placement"), from the agent's log.
  const duplicated = (fs.readFileSync(agentLogFile, 'utf8').slice(agentLogBefore).match(/: started again on /g) ?? []).length;
  const rate = (jobs * 1000) / run.ms;
  const ideal = (channels * 1000) / sleepMs;
  // What the sleep allows in the slot-time left by the kills (each dead volunteer's slots, kill to sshd up again).
  const slotShare = Math.max(0, 1 - (downMs * slots) / (run.ms * channels));
  const allowed = ideal * slotShare;
  const agentMs = cpu.selfMs / jobs;
  const decision = timeQueueDecision({ volunteers: count, slots });
  log(`  ${rate.toFixed(1)} jobs/s (${((rate / allowed) * 100).toFixed(0)}% of the ${allowed.toFixed(1)} allowed), ${wrong.length} failed, ${kills} kills, agent ${agentMs.toFixed(2)} ms CPU/job, peak RSS ${(mem.hwmKiB / 1024).toFixed(0)} MiB`);
  const localLines = Object.entries(ran.localByReason).map(([why, n]) => `${n} × ${why}`);
  return {
    key: 'scale',
    title: `Scale: ${count} volunteers × ${slots} slots = ${channels} channels, ${jobs} jobs (make -j${makeJobs}), volunteers killed at random`,
    headers: ['figure', 'measured', 'target'],
    rows: [
      ['failed jobs (object missing or wrong)', String(wrong.length), '0'],
      ['make exit code', String(run.code), '0'],
      ['compiled on a volunteer / here', `${ran.remote} / ${ran.local}`, '–'],
      ['share of slot-time holding a job (Σ job ms ÷ slots × wall)', slotBusy.toFixed(3), '–'],
      ['volunteers killed and restarted', String(kills), '–'],
      ['stragglers started a second time', String(duplicated), '–'],
      ['jobs/s', rate.toFixed(1), `≥ 90% of ${allowed.toFixed(1)}`],
      [`jobs/s ÷ what the stand-in allows in the slots left (${ideal.toFixed(1)} × ${slotShare.toFixed(3)})`, (rate / allowed).toFixed(3), '≥ 0.9'],
      ['jobs/s ÷ what it allows with no volunteer down', (rate / ideal).toFixed(3), '–'],
      ['agent CPU ms per job', agentMs.toFixed(2), '≤ 2'],
      ['agent peak RSS MiB (VmHWM)', (mem.hwmKiB / 1024).toFixed(0), '≤ 200'],
      [`queue decision µs at ${channels} slots (median of ${decision.calls / 2000} batches)`, decision.medianUs.toFixed(2), '≤ 50'],
      ['machine busy', `${(busy * 100).toFixed(0)}%`, '–'],
    ],
    notes: [
      `Stand-in compiler (packages/testkit/stand-in): ${sleepMs} ms of nanosleep per compile, so ${channels} slots allow ${ideal.toFixed(1)} jobs/s, less the slot-time of the volunteers down (${(downMs / 1000).toFixed(0)} s in all); the jobs a kill cut short are not subtracted. Sources are .i files (no preprocessing here).`,
      `A volunteer killed every ~${chaos.everyMs / 1000} s (SIGKILL of sshd and every session), started again ${chaos.downMs / 1000} s later on the same port; its jobs in flight are retried elsewhere or here.`,
      ...(localLines.length > 0 ? [`Compiled here: ${localLines.join('; ')}.`] : []),
      ...(standInErrors.length > 0 ? [`The stand-in failed ${standInErrors.length} time(s), e.g. \`${standInErrors[0]}\`.`] : []),
      'Queue decision: HostTable.loads() and core placeCompile for one waiting job, timed alone in the bench process (lib/queue-decision.js).',
    ],
    targets: [
      { what: 'failed jobs with volunteers killed', target: '0', measured: String(wrong.length), met: wrong.length === 0 && run.code === 0 },
      { what: `agent peak RSS at ${channels} channels`, target: '≤ 200 MB', measured: `${(mem.hwmKiB / 1024).toFixed(0)} MiB`, met: mem.hwmKiB / 1024 <= 200 },
      { what: `agent CPU per job at ${channels} channels`, target: '≤ 2 ms', measured: `${agentMs.toFixed(2)} ms`, met: agentMs <= 2 },
      { what: `queue decision at ${channels} slots`, target: '≤ 50 µs', measured: `${decision.medianUs.toFixed(1)} µs`, met: decision.medianUs <= 50 },
      { what: 'jobs/s against what the stand-in\'s sleep allows', target: '≥ 0.9', measured: (rate / allowed).toFixed(3), met: rate / allowed >= 0.9 },
    ],
    data: { volunteers: count, slots, jobs, sleepMs, kills, downMs, slotShare, allowedJobsPerSecond: allowed, wrong: wrong.slice(0, 20), failed: wrong.length, makeCode: run.code, ms: run.ms, jobsPerSecond: rate, idealJobsPerSecond: ideal, agentCpuMsPerJob: agentMs, agentChildrenMs: cpu.childrenMs, rssKiB: mem.rssKiB, hwmKiB: mem.hwmKiB, decision, ran, busy, duplicated, slotBusy, makeJobs, standInErrors: standInErrors.slice(0, 50) },
  };
}

module.exports = { scalePhase };
