'use strict';
// What one job costs on the far link, in round trips: compiles one after another (nothing hides the
// latency), through sshcc and locally, in the same run as an RTT measurement of the link itself.
//   trivial: unique one-function files (`gcc -O2 -c`), each job timed on its own (median and mean);
//   serial:  the real project with `make -j1` (real source sizes, so the transfer term counts).
// Overhead per job = sshcc's wall − local gcc's wall; its budget is 1.5 RTT + the job's bytes on the link
// (both ways, from the veth's counters) at the link's rate. The same loops through sshcc to a loopback
// volunteer give sshcc's cost with no link at all, so (far − loopback − transfer) / RTT is the number of
// round trips a job really waits on the link (issue 9 item 3 says: one).
const fs = require('node:fs');
const path = require('node:path');
const { writeSources } = require('./trivial-sources');
const { runCommand } = require('./run-command');
const { timedLoop, shq } = require('./timed-loop');
const { distccEnv, writeSshWrapper } = require('./distcc');
const { SSHCC, readJobLog } = require('./sshcc');
const { requireRemote } = require('./warm-agent');
const { compareTrees } = require('./compare-objects');
const { stampedLoop } = require('./wan-job-loop');
const { sshEchoRtt } = require('./wan-rtt');
const { linkCounters, linkDelta, linkSeconds } = require('./wan-link-bytes');
const { nextRoundFlag } = require('./wan-builds');
const { median, summarize } = require('./stats');
const { msText } = require('./format');

const RTT_SAMPLES = 30;

/** Sum of link deltas. */
function addWire(a, b) {
  return { up: a.up + b.up, down: a.down + b.down, packets: a.packets + b.packets };
}
const NO_WIRE = { up: 0, down: 0, packets: 0 };

async function wanPerJob(ctx, { far, sshccEnv, nearEnv, shape, project, tree, objects, refDir }) {
  const { options, log } = ctx;
  const sshWrapper = writeSshWrapper(ctx.dir('scratch', 'wan'), far.config.sshConfigFile);
  const rttSamples = [];
  const measureRtt = async () => {
    const rtt = await sshEchoRtt({ sshConfigFile: far.config.sshConfigFile, alias: far.alias, samples: RTT_SAMPLES });
    rttSamples.push(...rtt.samples);
    log(`  link RTT (ssh echo, ${RTT_SAMPLES}×): median ${msText(rtt.median)} ms, ${msText(rtt.min)}–${msText(rtt.max)}`);
  };

  const trivial = {
    local: { label: 'local gcc', cc: 'gcc', env: process.env, n: options.wanOverheadJobs, jobMs: [], wallMs: [], wire: NO_WIRE, jobs: 0 },
    sshcc: { label: 'sshcc, C shim', cc: `${SSHCC} gcc`, env: sshccEnv, n: options.wanOverheadJobs, jobMs: [], wallMs: [], wire: NO_WIRE, jobs: 0, remote: true },
    'sshcc-near': { label: 'sshcc, C shim, loopback volunteer', cc: `${SSHCC} gcc`, env: nearEnv, n: options.wanOverheadJobs, jobMs: [], wallMs: [], wire: NO_WIRE, jobs: 0, remote: true },
    'distcc-ssh': {
      label: 'distcc over ssh',
      cc: 'distcc gcc',
      env: distccEnv({ hosts: `@${far.alias}/1`, stateDir: ctx.dir('scratch', 'wan-oh-distcc'), sshWrapper }),
      n: options.wanOverheadSshJobs,
      jobMs: [],
      wallMs: [],
      wire: NO_WIRE,
      jobs: 0,
    },
  };
  const serial = {
    local: { label: `local make -j1 (${project.title})`, cc: project.compiler, env: process.env, perJobMs: [], wire: NO_WIRE, jobs: 0 },
    sshcc: { label: `sshcc make -j1 (${project.title})`, cc: `${SSHCC} ${project.compiler}`, env: sshccEnv, perJobMs: [], wire: NO_WIRE, jobs: 0, remote: true },
    'sshcc-near': { label: `sshcc make -j1, loopback volunteer (${project.title})`, cc: `${SSHCC} ${project.compiler}`, env: nearEnv, perJobMs: [], wire: NO_WIRE, jobs: 0, remote: true },
  };
  const serialKeys = Object.keys(serial);

  for (let rep = 0; rep < options.wanOverheadReps; rep++) {
    await measureRtt();
    const keys = Object.keys(trivial);
    for (const key of keys.map((_, i) => keys[(i + rep) % keys.length])) {
      const v = trivial[key];
      const dir = ctx.freshDir(`wan-oh-${key}`);
      const names = writeSources(dir, v.n, `wan_${key.replace(/-/g, '_')}_${rep}_${Date.now()}`);
      const jobLog = path.join(dir, 'jobs.log');
      const lines = names.map((n) => `${v.cc} -O2 -c ${shq(n)} -o ${shq(n.replace(/\.c$/, '.o'))}`);
      const before = linkCounters(far.device);
      const loop = await stampedLoop(lines, { cwd: dir, env: v.remote ? { ...v.env, SSHCC_LOG: jobLog } : v.env, scriptDir: ctx.dir('scratch') });
      v.wire = addWire(v.wire, linkDelta(before, linkCounters(far.device)));
      v.jobs += v.n;
      v.jobMs.push(...loop.jobMs);
      v.wallMs.push(loop.wallMs / v.n);
      if (v.remote) requireRemote(`${v.label} over the WAN link`, readJobLog(jobLog), v.n);
      log(`  rep ${rep + 1}/${options.wanOverheadReps} trivial, ${v.label}: median ${msText(median(loop.jobMs))} ms/job, mean ${msText(loop.wallMs / v.n)}`);
    }
    const flag = nextRoundFlag();
    for (const key of serialKeys.map((_, i) => serialKeys[(i + rep) % serialKeys.length])) {
      const v = serial[key];
      const clean = project.clean();
      await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
      const jobLog = path.join(ctx.dir('scratch'), `wan-serial-${key}-${rep}.log`);
      fs.rmSync(jobLog, { force: true });
      const { cmd, args } = project.build(`${v.cc} ${flag}`, 1, tree);
      const before = linkCounters(far.device);
      const loop = await timedLoop([[cmd, ...args].map(shq).join(' ')], { cwd: tree, env: v.remote ? { ...v.env, SSHCC_LOG: jobLog } : v.env, scriptDir: ctx.dir('scratch') });
      v.wire = addWire(v.wire, linkDelta(before, linkCounters(far.device)));
      v.jobs += objects.length;
      v.perJobMs.push(loop.wallMs / objects.length);
      if (v.remote) {
        requireRemote(`${v.label} over the WAN link`, readJobLog(jobLog), objects.length);
        const cmp = compareTrees(refDir, tree, objects);
        if (cmp.mismatches.length > 0) throw new Error(`${v.label}: objects differ from the local build: ${JSON.stringify(cmp.mismatches.slice(0, 5))}`);
      }
      log(`  rep ${rep + 1}/${options.wanOverheadReps} ${v.label}: ${msText(loop.wallMs / objects.length)} ms/job`);
    }
  }
  await measureRtt();

  const rtt = summarize(rttSamples);
  const perJobWire = (v) => ({ up: v.wire.up / v.jobs, down: v.wire.down / v.jobs, packets: v.wire.packets / v.jobs });
  const judge = (overMs, wire, nearOverMs) => {
    const transferMs = linkSeconds(wire, shape.rateMbit) * 1000;
    const budgetMs = 1.5 * rtt.median + transferMs;
    const linkRoundTrips = nearOverMs === undefined ? undefined : (overMs - nearOverMs - transferMs) / rtt.median;
    return { overMs, rtts: overMs / rtt.median, transferMs, budgetMs, met: overMs <= budgetMs, ...(linkRoundTrips === undefined ? {} : { nearOverMs, linkRoundTrips }) };
  };
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const tLocal = median(trivial.local.jobMs);
  const tNear = median(trivial['sshcc-near'].jobMs) - tLocal;
  const sNear = median(serial['sshcc-near'].perJobMs.map((ms, i) => ms - serial.local.perJobMs[i]));
  return {
    rtt,
    trivial: Object.fromEntries(
      Object.entries(trivial).map(([key, v]) => {
        const wire = perJobWire(v);
        const job = summarize(v.jobMs);
        const over = key === 'local' ? {} : { overhead: judge(job.median - tLocal, wire, key === 'sshcc' ? tNear : undefined), meanOverMs: mean(v.jobMs) - mean(trivial.local.jobMs) };
        return [key, { label: v.label, jobs: v.jobs, jobMs: job, meanMs: mean(v.jobMs), wirePerJob: wire, ...over }];
      }),
    ),
    serial: Object.fromEntries(
      Object.entries(serial).map(([key, v]) => {
        const wire = perJobWire(v);
        const job = summarize(v.perJobMs);
        const over = key === 'local' ? null : median(v.perJobMs.map((ms, i) => ms - serial.local.perJobMs[i]));
        return [key, { label: v.label, jobs: v.jobs, perJobMs: job, wirePerJob: wire, ...(over === null ? {} : { overhead: judge(over, wire, key === 'sshcc' ? sNear : undefined) }) }];
      }),
    ),
  };
}

module.exports = { wanPerJob };
