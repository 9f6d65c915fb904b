'use strict';
// Phase perjob, part 1 (issue 17): the pinned variant. The client side (make, the sshcc agent and the
// preprocessors its clients run; distcc and its cpp) on core 0, the volunteer (its sshd and everything under
// it; distccd) on core 1: the figures then say what one client core feeds, and sshcc and distcc over TCP
// are compared with no volunteer work stealing the client's core. Two workloads: the real project, and
// many small files that include <stdio.h> (per-job cost dominates). Baseline: the same make line, local,
// on core 0 alone.
const path = require('node:path');
const os = require('node:os');
const { runCommand } = require('./run-command');
const { shq, timedLoop } = require('./timed-loop');
const { clientCpu } = require('./measured-build');
const { checkedBuild } = require('./checked-build');
const { rotatingRounds } = require('./rotating-rounds');
const { pinProcess, sampleAffinity, makePids } = require('./cpu-pinning');
const { startDistccd, distccEnv } = require('./distcc');
const { SSHCC } = require('./sshcc');
const { warmAgent } = require('./warm-agent');
const { writeSources, stdioSource } = require('./trivial-sources');
const { compareTrees } = require('./compare-objects');
const { summarize, median, pairedRatios } = require('./stats');
const { sec, msText, ratio, range } = require('./format');

const CLIENT_CPU = '0';
const VOLUNTEER_CPU = '1';
const AGENT = 'perjob-pinned';

async function pinnedSection(ctx, { project, tree, refDir, objects }) {
  const { options, log } = ctx;
  if (os.cpus().length < 2) throw new Error('the pinned variant needs 2 cores');
  const jobs = options.jobs;
  // A volunteer of its own, pinned before anything connects: every session, server and compiler under it
  // inherits core 1.
  const { volunteers, config } = await ctx.startVolunteers(1);
  const volunteer = volunteers[0];
  await pinProcess(volunteer.pid, VOLUNTEER_CPU);
  const distccd = await startDistccd(path.join(ctx.dir('scratch'), 'distccd-pinned.log'), Math.max(jobs, 16), { cpus: VOLUNTEER_CPU });
  ctx.cleanups.push(() => distccd.stop());
  const env = ctx.sshccEnv(AGENT, `${config.aliases[0]}/${jobs}`, config);
  await ctx.coldAgent(AGENT);
  await warmAgent(ctx, env, jobs, AGENT);
  await pinProcess(ctx.agentPid(AGENT), CLIENT_CPU);
  log(`pinned: client side on core ${CLIENT_CPU} (make, agent ${ctx.agentPid(AGENT)}), volunteer sshd ${volunteer.pid} and distccd ${distccd.pid} on core ${VOLUNTEER_CPU}`);

  const variants = [
    { key: 'local', label: 'local gcc, core 0 only', cc: 'gcc', env: process.env, servers: [] },
    { key: 'distcc-tcp', label: 'distcc over TCP', cc: 'distcc gcc', env: distccEnv({ hosts: `127.0.0.1:${distccd.port}/${jobs}`, stateDir: ctx.dir('scratch', 'perjob-distcc-tcp') }), servers: [distccd.pid] },
    { key: 'sshcc', label: 'sshcc, warm agent', cc: `${SSHCC} gcc`, env, servers: [volunteer.pid], agent: true },
  ];
  const smallFiles = options.quick ? 200 : 400;
  const workloads = [
    {
      key: 'project',
      title: `${project.title}, make -j${jobs}`,
      jobs: objects.length,
      async prepare(variant) {
        const clean = project.clean();
        await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
        const { cmd, args } = project.build(variant.cc, jobs, tree);
        return { cwd: tree, line: [cmd, ...args].map(shq).join(' ') };
      },
      check: () => compareTrees(refDir, tree, objects),
      // Lua's own flags for `make linux`.
      cpp: () => ({ cwd: tree, lines: objects.map((o) => `gcc -std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -E -fdirectives-only ${shq(o.replace(/\.o$/, '.c'))} -o /dev/null`) }),
    },
    {
      key: 'stdio',
      title: `${smallFiles} small files including <stdio.h>, make -j${jobs}`,
      jobs: smallFiles,
      async prepare(variant, round) {
        const dir = ctx.freshDir(`perjob-stdio-${variant.key}`);
        writeSources(dir, smallFiles, `pj_stdio_${round}`, stdioSource);
        return { cwd: dir, line: `make -s -j${jobs} CC=${shq(variant.cc)}` };
      },
      check: () => null,
      cpp: () => {
        const dir = ctx.freshDir('perjob-stdio-cpp');
        return { cwd: dir, lines: writeSources(dir, smallFiles, 'pj_stdio_cpp', stdioSource).map((name) => `gcc -O2 -E -fdirectives-only ${name} -o /dev/null`) };
      },
    },
  ];

  const affinity = [];
  const results = {};
  for (const workload of workloads) {
    log(`pinned: ${workload.title}`);
    const samples = await rotatingRounds(variants, options.reps, async (variant, round) => {
      const { cwd, line } = await workload.prepare(variant, round);
      const sampler = sampleAffinity({
        client: { cpus: CLIENT_CPU, roots: () => [...makePids(), ctx.agentPid(AGENT)].filter(Boolean) },
        volunteer: { cpus: VOLUNTEER_CPU, roots: () => [volunteer.pid, distccd.pid] },
      });
      let run;
      try {
        run = await checkedBuild(ctx, { what: `pinned ${workload.key}`, variant, line: `taskset -c ${CLIENT_CPU} ${line}`, cwd, jobs: workload.jobs, agentName: AGENT, distccd, compare: workload.check });
      } finally {
        affinity.push(sampler.stop());
      }
      log(`  round ${round + 1}/${options.reps} ${variant.label}: ${sec(run.ms)} s, client CPU ${msText(clientCpu(run.cpu) / workload.jobs)} ms/job, volunteer ${msText(run.cpu.server / workload.jobs)} ms/job`);
      return run;
    });
    // What preprocessing alone costs per job (the share of the client's CPU remote preprocessing would move).
    const cpp = [];
    for (let rep = 0; rep < options.reps; rep++) {
      const { cwd, lines } = workload.cpp();
      cpp.push((await timedLoop(lines, { cwd, env: process.env, scriptDir: ctx.dir('scratch') })).childCpuMs / workload.jobs);
    }
    results[workload.key] = { workload, samples, cppCpuMsPerJob: summarize(cpp) };
  }

  await ctx.stopAgent(AGENT);
  const wrong = affinity.flatMap((a) => [...a.client.wrong, ...a.volunteer.wrong]);
  if (wrong.length > 0) throw new Error(`pinning did not hold: ${JSON.stringify(wrong.slice(0, 5))}`);
  const seen = (group) => ({ processes: affinity.reduce((n, a) => n + a[group].processes, 0), names: [...new Set(affinity.flatMap((a) => a[group].names))].sort() });
  const affinityData = { client: { cpus: CLIENT_CPU, ...seen('client') }, volunteer: { cpus: VOLUNTEER_CPU, ...seen('volunteer') } };

  const rows = [];
  const targets = [];
  const data = { jobs, affinity: affinityData, workloads: {} };
  for (const { workload, samples, cppCpuMsPerJob } of Object.values(results)) {
    const ms = (key) => samples[key].map((s) => s.ms);
    for (const v of variants) {
      const s = samples[v.key];
      const wall = summarize(ms(v.key));
      const vsLocal = pairedRatios(ms(v.key), ms('local'));
      const vsTcp = pairedRatios(ms(v.key), ms('distcc-tcp'));
      const client = median(s.map((x) => clientCpu(x.cpu))) / workload.jobs;
      const server = median(s.map((x) => x.cpu.server)) / workload.jobs;
      rows.push([workload.title, v.label, sec(wall.median), range(wall, sec), ratio(vsLocal.median), v.key === 'distcc-tcp' ? '1.00×' : ratio(vsTcp.median), msText(client), v.key === 'local' ? '–' : msText(server), `${(median(s.map((x) => x.busy)) * 100).toFixed(0)}%`, s.at(-1).check]);
    }
    rows.push([workload.title, 'its preprocessor alone (gcc -E -fdirectives-only, one at a time)', '–', '–', '–', '–', msText(cppCpuMsPerJob.median), '–', '–', `${workload.jobs} files`]);
    const vsTcp = pairedRatios(ms('sshcc'), ms('distcc-tcp'));
    targets.push({ what: `pinned: ${workload.title}, sshcc vs distcc over TCP`, target: '≤ 1.00×', measured: ratio(vsTcp.median), met: vsTcp.median <= 1 });
    data.workloads[workload.key] = {
      title: workload.title,
      jobs: workload.jobs,
      cppCpuMsPerJob,
      variants: Object.fromEntries(variants.map((v) => [v.key, { label: v.label, wallMs: summarize(ms(v.key)), ratioToLocal: pairedRatios(ms(v.key), ms('local')), ratioToDistccTcp: pairedRatios(ms(v.key), ms('distcc-tcp')), samples: samples[v.key] }])),
    };
  }
  return {
    table: {
      title: `Pinned: client side on core ${CLIENT_CPU}, volunteer on core ${VOLUNTEER_CPU}; ${options.reps} rounds`,
      headers: ['workload', 'variant', 'wall s (median)', 'min–max s', '× local (core 0)', '× distcc TCP', 'client CPU ms/job', 'volunteer CPU ms/job', 'machine busy', 'check'],
      rows,
      notes: [
        `taskset: make (and so every compiler, sshcc client, preprocessor, distcc client and its cpp) runs under \`taskset -c ${CLIENT_CPU}\`; the warm agent is pinned with \`taskset -a -p -c ${CLIENT_CPU}\`; the volunteer's sshd (pinned before its first connection) and distccd (started under taskset) on core ${VOLUNTEER_CPU}. Checked while every build ran: Cpus_allowed_list of every thread in those trees, sampled every 250 ms (client side: ${affinityData.client.names.join(', ')}; volunteer side: ${affinityData.volunteer.names.join(', ')}): all as pinned.`,
        'Ratios are medians of per-round ratios (each to the build of the same round). Client CPU = make\'s tree (bash `times`) + the agent and its reaped children (/proc); volunteer CPU = the sshd or distccd tree. Result caches off (SSHCC_CACHE=0); distcc with DISTCC_FALLBACK=0; sshcc checked in SSHCC_LOG (every compile on the volunteer) and, for the project, object for object against the local build.',
        'Its preprocessor alone: the CPU per file of `gcc -E -fdirectives-only` run one at a time on the same sources, the part of the client\'s CPU per job that remote preprocessing (distcc\'s pump mode) would move to volunteers (issue 17 item 6).',
      ],
    },
    targets,
    data,
  };
}

module.exports = { pinnedSection };
