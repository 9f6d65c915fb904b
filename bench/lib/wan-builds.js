'use strict';
// The real project built with `make -jN` through the far volunteer: (a) locally, the reference, (b) distcc
// over ssh to the volunteer, (c) sshcc with a warm agent to the volunteer. Rounds rotate the order; every
// build's bytes on the link are read from the veth's counters. Each round passes a round-unique
// -DSSHCC_BENCH_ROUND=<n> to every variant alike: no result cache (on the volunteer or in the agent) can
// answer a compile from an earlier round, so every round is a first build for each of them.
const fs = require('node:fs');
const path = require('node:path');
const { runCommand } = require('./run-command');
const { timedLoop, shq } = require('./timed-loop');
const { distccEnv, writeSshWrapper } = require('./distcc');
const { SSHCC, readJobLog } = require('./sshcc');
const { warmAgent, requireRemote } = require('./warm-agent');
const { compareTrees, copyObjects } = require('./compare-objects');
const { cpuSnapshot, busyFraction } = require('./cpu-busy');
const { linkCounters, linkDelta } = require('./wan-link-bytes');
const { sec, mb } = require('./format');

/** A value for -DSSHCC_BENCH_ROUND that no earlier run used either. */
let roundTag = Date.now() % 1e9;
const nextRoundFlag = () => `-DSSHCC_BENCH_ROUND=${roundTag++}`;

/**
 * { variants, samples, wire, busy, checks, objects, refDir } of `reps` rounds. `far` is the WAN volunteer
 * ({ config, alias, device }); `sshccEnv` the environment of agent `agentName`; `tree` is prepared.
 */
async function wanBuilds(ctx, { project, tree, far, sshccEnv, agentName, reps }) {
  const { options, log } = ctx;
  const jobs = options.jobs;
  const cc = project.compiler;
  const sshWrapper = writeSshWrapper(ctx.dir('scratch', 'wan'), far.config.sshConfigFile);
  const variants = [
    { key: 'local', label: '(a) local make', cc, env: process.env },
    { key: 'distcc-ssh', label: '(b) distcc over ssh', cc: `distcc ${cc}`, env: distccEnv({ hosts: `@${far.alias}/${jobs}`, stateDir: ctx.dir('scratch', 'wan-distcc-ssh'), sshWrapper }) },
    {
      key: 'sshcc',
      label: '(c) sshcc, warm agent',
      cc: `${SSHCC} ${cc}`,
      env: sshccEnv,
      before: async () => {
        if (ctx.agentPid(agentName) === null) await warmAgent(ctx, sshccEnv, jobs, agentName);
      },
    },
  ];

  const build = async (variant, flag, envExtra = {}) => {
    const clean = project.clean();
    await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
    const { cmd, args } = project.build(`${variant.cc} ${flag}`, jobs, tree);
    const cpu = cpuSnapshot();
    const link = linkCounters(far.device);
    let loop;
    try {
      loop = await timedLoop([[cmd, ...args].map(shq).join(' ')], { cwd: tree, env: { ...variant.env, ...envExtra }, scriptDir: ctx.dir('scratch') });
    } catch (err) {
      throw new Error(`${variant.label} over the WAN link: ${err.message}`);
    }
    return { ms: loop.wallMs, wire: linkDelta(link, linkCounters(far.device)), busy: busyFraction(cpu, cpuSnapshot()) };
  };

  log(`${project.title}: reference build (local, untimed)`);
  await build(variants[0], nextRoundFlag());
  const objects = project.objects(tree);
  const refDir = path.join(ctx.work, 'trees', `wan-${project.name}-reference`);
  copyObjects(tree, refDir, objects);

  const per = Object.fromEntries(variants.map((v) => [v.key, { ms: [], wire: [], busy: [], checks: [] }]));
  for (let round = 0; round < reps; round++) {
    const flag = nextRoundFlag();
    for (const variant of variants.map((_, i) => variants[(i + round) % variants.length])) {
      if (variant.before) await variant.before();
      const jobLog = path.join(ctx.dir('scratch'), `wan-build-${variant.key}-${round}.log`);
      fs.rmSync(jobLog, { force: true });
      const result = await build(variant, flag, variant.key === 'sshcc' ? { SSHCC_LOG: jobLog } : {});
      const p = per[variant.key];
      p.ms.push(result.ms);
      p.wire.push(result.wire);
      p.busy.push(result.busy);
      if (variant.key === 'sshcc') {
        const ran = readJobLog(jobLog);
        const cmp = compareTrees(refDir, tree, objects);
        p.checks.push({ ...ran, objects: objects.length, identical: cmp.identical, equivalent: cmp.equivalent, mismatches: cmp.mismatches });
        requireRemote(`${variant.label} over the WAN link, round ${round + 1}`, ran, objects.length);
        if (cmp.mismatches.length > 0) throw new Error(`${variant.label}: objects differ from the local build: ${JSON.stringify(cmp.mismatches.slice(0, 5))}`);
      }
      log(`  round ${round + 1}/${reps} ${variant.label}: ${sec(result.ms)} s, link ${mb(result.wire.up)} MB up / ${mb(result.wire.down)} MB down (machine ${(result.busy * 100).toFixed(0)}% busy)`);
    }
  }
  return { variants, per, objects, refDir };
}

module.exports = { wanBuilds, nextRoundFlag };
