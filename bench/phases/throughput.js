'use strict';
// Phase 3: many trivial jobs at once through one loopback volunteer (make -j16): jobs per second, and the
// agent's CPU per job (its own, and the local preprocessors it ran). Local gcc with the same make line
// is measured in the same rounds for scale: on a 2-core machine the volunteer's compiles share the cores.
const path = require('node:path');
const { writeSources } = require('../lib/trivial-sources');
const { runCommand } = require('../lib/run-command');
const { SSHCC, readJobLog } = require('../lib/sshcc');
const { warmAgent, requireRemote } = require('../lib/warm-agent');
const { cpuTimes, cpuDelta } = require('../lib/proc-stat');
const { treeCpu, treeCpuByName } = require('../lib/tree-cpu');
const { cpuSnapshot, busyFraction } = require('../lib/cpu-busy');
const { summarize, median } = require('../lib/stats');
const { msText, range } = require('../lib/format');

async function throughputPhase(ctx) {
  const { options, log } = ctx;
  const { alias, config, volunteer } = await ctx.mainVolunteer();
  const parallel = options.throughputParallel;
  const count = options.throughputJobs;
  const env = ctx.sshccEnv('throughput', `${alias}/${parallel}`, config);
  await ctx.coldAgent('throughput');
  await warmAgent(ctx, env, parallel, 'throughput');

  const variants = [
    { key: 'local', label: 'local gcc', cc: 'gcc', env: process.env },
    { key: 'sshcc', label: 'sshcc (C shim), 1 volunteer', cc: `${SSHCC} gcc`, env },
  ];
  const per = { local: { rate: [], busy: [] }, sshcc: { rate: [], busy: [], agentMs: [], cppMs: [], serverMs: [], sshdMs: [], remote: [] } };
  for (let rep = 0; rep < options.throughputReps; rep++) {
    for (const v of rep % 2 === 0 ? variants : [...variants].reverse()) {
      const dir = ctx.freshDir(`throughput-${v.key}`);
      writeSources(dir, count, `tp_${v.key}_${rep}_${Date.now()}`);
      const jobLog = path.join(dir, 'jobs.log');
      const pid = v.key === 'sshcc' ? ctx.agentPid('throughput') : null;
      const before = pid ? cpuTimes(pid) : null;
      const serverBefore = pid ? treeCpu([volunteer.pid]) : null;
      const busyBefore = cpuSnapshot();
      const run = await runCommand('make', ['-s', `-j${parallel}`, `CC=${v.cc}`], { cwd: dir, env: { ...v.env, SSHCC_LOG: jobLog } });
      if (run.code !== 0) throw new Error(`${v.label}: make failed: ${run.stderr.trim().slice(-400)}`);
      const p = per[v.key];
      p.rate.push((count * 1000) / run.ms);
      p.busy.push(busyFraction(busyBefore, cpuSnapshot()));
      if (pid) {
        const d = cpuDelta(before, cpuTimes(pid));
        p.agentMs.push(d.selfMs / count);
        p.cppMs.push(d.childrenMs / count);
        // The volunteer's side: sshcc-server's own JavaScript (node), and sshd carrying the channels;
        // the compilers it ran are reaped by node and left out ("node reaped").
        const server = treeCpuByName(serverBefore, treeCpu([volunteer.pid]));
        p.serverMs.push((server.node ?? 0) / count);
        p.sshdMs.push((server.sshd ?? 0) / count);
        const ran = readJobLog(jobLog);
        p.remote.push(ran.remote);
        requireRemote('throughput', ran, count);
      }
      log(`  rep ${rep + 1}/${options.throughputReps} ${v.label}: ${p.rate.at(-1).toFixed(0)} jobs/s`);
    }
  }
  const rate = (key) => summarize(per[key].rate);
  const rows = variants.map((v) => {
    const p = per[v.key];
    const r = rate(v.key);
    return [
      v.label,
      r.median.toFixed(0),
      range(r, (x) => x.toFixed(0)),
      p.agentMs ? msText(median(p.agentMs)) : '–',
      p.cppMs ? msText(median(p.cppMs)) : '–',
      p.serverMs ? msText(median(p.serverMs)) : '–',
      p.sshdMs ? msText(median(p.sshdMs)) : '–',
      p.agentMs ? (1000 / median(p.agentMs)).toFixed(0) : '–',
      p.remote ? `${Math.min(...p.remote)}/${count}` : '–',
      `${(median(p.busy) * 100).toFixed(0)}%`,
    ];
  });
  const sshccRate = rate('sshcc').median;
  const agentMs = median(per.sshcc.agentMs);
  return {
    key: 'throughput',
    title: `Throughput: ${count} trivial jobs, make -j${parallel}, ${options.throughputReps} repetition(s)`,
    headers: ['client', 'jobs/s (median)', 'min–max', 'agent CPU ms/job', 'its cpp ms/job', 'sshcc-server CPU ms/job', 'sshd CPU ms/job', 'agent-bound jobs/s', 'remote', 'machine busy'],
    rows,
    notes: [
      `One volunteer with ${parallel} slots (two ssh connections: sshd's MaxSessions is 10). The volunteer's compiles run on the same cores.`,
      'agent-bound jobs/s = 1000 / agent CPU ms per job: the most one agent could serve if the cores it needs were its alone (its JavaScript runs on one thread).',
    ],
    targets: [
      { what: `trivial jobs/s through one loopback volunteer (-j${parallel})`, target: '≥ 150', measured: sshccRate.toFixed(0), met: sshccRate >= 150 },
      { what: 'agent CPU per job (trivial jobs)', target: '≤ 2 ms', measured: `${msText(agentMs)} ms`, met: agentMs <= 2 },
    ],
    data: { jobs: count, parallel, local: { jobsPerSecond: rate('local'), busy: per.local.busy }, sshcc: { jobsPerSecond: rate('sshcc'), agentCpuMsPerJob: summarize(per.sshcc.agentMs), cppCpuMsPerJob: summarize(per.sshcc.cppMs), serverCpuMsPerJob: summarize(per.sshcc.serverMs), sshdCpuMsPerJob: summarize(per.sshcc.sshdMs), remote: per.sshcc.remote, busy: per.sshcc.busy } },
  };
}

module.exports = { throughputPhase };
