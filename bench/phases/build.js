'use strict';
// Phase 1: a real project built with `make -jN`, (a) locally, (b) distcc over ssh, (c) distcc over TCP,
// (d) sshcc with a cold agent, (e) sshcc with a warm one (both with the result cache off), (f) sshcc
// rebuilding after `make clean` with the cache warm (every compile a hit). Rounds alternate the variants (each round
// starts one further along), so slow drift on a shared machine falls on all of them alike; every
// figure is also a ratio to the local build of the same round.
const fs = require('node:fs');
const path = require('node:path');
const { PROJECTS } = require('../lib/projects');
const { upstreamTarball, extractTree } = require('../lib/debian-source');
const { runCommand } = require('../lib/run-command');
const { shq } = require('../lib/timed-loop');
const { measuredBuild } = require('../lib/measured-build');
const { distccEnv } = require('../lib/distcc');
const { SSHCC, cacheOn, readJobLog, statsJson } = require('../lib/sshcc');
const { warmAgent, requireRemote, requireCached } = require('../lib/warm-agent');
const { compareTrees, copyObjects } = require('../lib/compare-objects');
const { summarize, median } = require('../lib/stats');
const { sec, ratio, range } = require('../lib/format');

async function buildPhase(ctx) {
  const { options, log } = ctx;
  const project = PROJECTS[options.project];
  if (!project || project.name === 're2') throw new Error(`--project must be lua or zlib, not ${options.project}`);
  const tarball = upstreamTarball(project.debianPackage, ctx.dir('sources'), log);
  const tree = extractTree(tarball, path.join(ctx.work, 'trees', `build-${project.name}`));
  const prep = project.prepare(tree);
  if (prep) await runCommand(prep.cmd, prep.args, { cwd: prep.cwd, check: true });

  const jobs = options.jobs;
  const { volunteer, alias, config } = await ctx.mainVolunteer();
  const sshWrapper = await ctx.distccSshWrapper();
  const distccd = await ctx.distccd();
  const sshccEnv = ctx.sshccEnv('build', `${alias}/${jobs}`, config);
  const cc = project.compiler;
  const variants = [
    { key: 'local', label: '(a) local make', cc, env: process.env, servers: [] },
    { key: 'distcc-ssh', label: '(b) distcc over ssh', cc: `distcc ${cc}`, env: distccEnv({ hosts: `@${alias}/${jobs}`, stateDir: ctx.dir('scratch', 'distcc-ssh'), sshWrapper }), servers: [volunteer.pid] },
    { key: 'distcc-tcp', label: '(c) distcc over TCP', cc: `distcc ${cc}`, env: distccEnv({ hosts: `127.0.0.1:${distccd.port}/${jobs}`, stateDir: ctx.dir('scratch', 'distcc-tcp') }), servers: [distccd.pid] },
    { key: 'sshcc-cold', label: '(d) sshcc, cold agent', cc: `${SSHCC} ${cc}`, env: sshccEnv, servers: [volunteer.pid], agent: true, before: () => ctx.coldAgent('build') },
    {
      key: 'sshcc-warm',
      label: '(e) sshcc, warm agent',
      cc: `${SSHCC} ${cc}`,
      env: sshccEnv,
      servers: [volunteer.pid],
      agent: true,
      before: async () => {
        if (ctx.agentPid('build') === null) await warmAgent(ctx, sshccEnv, jobs, 'build');
      },
    },
    {
      key: 'sshcc-cache',
      label: '(f) sshcc, warm cache',
      cc: `${SSHCC} ${cc}`,
      env: cacheOn(sshccEnv),
      servers: [volunteer.pid],
      agent: true,
      cached: true,
      before: async () => {
        if (ctx.agentPid('build') === null) await warmAgent(ctx, sshccEnv, jobs, 'build');
        // The first time, an untimed build with the cache on fills it; every timed one is a rebuild.
        if (!cacheFilled) await build(variants[5]);
        cacheFilled = true;
      },
    },
  ];
  let cacheFilled = false;

  const build = async (variant, envExtra = {}) => {
    const clean = project.clean();
    await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
    const { cmd, args } = project.build(variant.cc, jobs, tree);
    try {
      return await measuredBuild([cmd, ...args].map(shq).join(' '), {
        cwd: tree,
        env: { ...variant.env, ...envExtra },
        scriptDir: ctx.dir('scratch'),
        agentPid: () => (variant.agent ? ctx.agentPid('build') : null),
        servers: variant.servers ?? [],
      });
    } catch (err) {
      throw new Error(`${variant.label}: ${err.message}`);
    }
  };

  // An untimed local build first: the reference objects, and every file in the page cache.
  log(`${project.title}: reference build (local, untimed)`);
  await build(variants[0]);
  const objects = project.objects(tree);
  const refDir = path.join(ctx.work, 'trees', `build-${project.name}-reference`);
  copyObjects(tree, refDir, objects);

  const samples = Object.fromEntries(variants.map((v) => [v.key, []]));
  const busy = Object.fromEntries(variants.map((v) => [v.key, []]));
  const cpu = Object.fromEntries(variants.map((v) => [v.key, []]));
  const verification = Object.fromEntries(variants.map((v) => [v.key, []]));
  for (let round = 0; round < options.reps; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const variant of order) {
      if (variant.before) await variant.before();
      const jobLog = path.join(ctx.dir('scratch'), `build-${variant.key}-${round}.log`);
      fs.rmSync(jobLog, { force: true });
      const tcpBefore = variant.key === 'distcc-tcp' ? distccd.completedJobs() : 0;
      const result = await build(variant, variant.key.startsWith('sshcc') ? { SSHCC_LOG: jobLog } : {});
      samples[variant.key].push(result.ms);
      busy[variant.key].push(result.busy);
      cpu[variant.key].push(result.cpu);
      if (variant.key.startsWith('sshcc')) {
        const jobsRan = readJobLog(jobLog);
        const cmp = compareTrees(refDir, tree, objects);
        verification[variant.key].push({ ...jobsRan, objects: objects.length, ...cmp });
        if (variant.cached) requireCached(`${variant.label}, round ${round + 1}`, jobsRan, objects.length);
        else requireRemote(`${variant.label}, round ${round + 1}`, jobsRan, objects.length);
        if (cmp.mismatches.length > 0) throw new Error(`${variant.label}: objects differ from the local build: ${JSON.stringify(cmp.mismatches.slice(0, 5))}`);
      } else if (variant.key === 'distcc-tcp') {
        verification[variant.key].push({ remote: distccd.completedJobs() - tcpBefore, objects: objects.length });
      }
      const c = result.cpu;
      log(`  round ${round + 1}/${options.reps} ${variant.label}: ${sec(result.ms)} s (machine ${(result.busy * 100).toFixed(0)}% busy; CPU s: make+clients ${sec(c.build)}, agent ${sec(c.agent)}, its cpp ${sec(c.cpp)}, volunteer/distccd ${sec(c.server)}: ${Object.entries(c.serverByName).map(([n, ms]) => `${n} ${sec(ms)}`).join(', ')})`);
    }
  }
  const stats = statsJson(sshccEnv);

  const ratios = (key) => samples[key].map((ms, i) => ms / samples.local[i]);
  const rows = [];
  const data = { project: project.title, jobs, objects: objects.length, variants: {} };
  for (const v of variants) {
    const s = summarize(samples[v.key]);
    const r = summarize(ratios(v.key));
    const check = describeCheck(v.key, verification[v.key], objects.length);
    const part = (name) => median(cpu[v.key].map((c) => c[name]));
    const total = median(cpu[v.key].map((c) => c.build + c.agent + c.cpp + c.server));
    const client = part('build') + part('agent') + part('cpp');
    const cpuRatio = median(cpu[v.key].map((c, i) => (c.build + c.agent + c.cpp + c.server) / cpu.local[i].build));
    rows.push([v.label, sec(s.median), range(s, sec), ratio(r.median), range(r, (x) => x.toFixed(2)), sec(total), ratio(cpuRatio), `${sec(client)} + ${sec(part('server'))}`, `${(median(busy[v.key]) * 100).toFixed(0)}%`, check]);
    data.variants[v.key] = { label: v.label, wallMs: s, ratioToLocal: r, cpuMs: cpu[v.key], machineBusy: median(busy[v.key]), verification: verification[v.key] };
  }
  if (stats) data.sshccStats = stats;

  const med = (key) => median(samples[key]);
  const targets = [];
  for (const key of ['sshcc-cold', 'sshcc-warm']) {
    const label = key === 'sshcc-cold' ? '(d)' : '(e)';
    const r = median(ratios(key));
    targets.push({ what: `${label} real build vs local make`, target: '≤ 1.15×', measured: ratio(r), met: r <= 1.15 });
    const vsTcp = med(key) / med('distcc-tcp');
    targets.push({ what: `${label} real build vs distcc over TCP`, target: '≤ 1.00×', measured: ratio(vsTcp), met: vsTcp <= 1 });
    const vsSsh = med('distcc-ssh') / med(key);
    targets.push({ what: `${label} speed-up over distcc over ssh`, target: '≥ 3×', measured: ratio(vsSsh), met: vsSsh >= 3 });
  }
  const warmCache = median(samples['sshcc-cache'].map((ms, i) => ms / samples['sshcc-cold'][i]));
  targets.push({ what: '(f) warm-cache rebuild vs (d) cold sshcc build', target: '≤ 0.30×', measured: ratio(warmCache), met: warmCache <= 0.3 });
  return {
    key: 'build',
    title: `Real-project build: ${project.title}, ${objects.length} objects, make -j${jobs}, ${options.reps} rounds`,
    headers: ['variant', 'wall s (median)', 'min–max s', '× local', '× local min–max', 'CPU s', 'CPU × local', 'CPU: client + server side', 'machine busy', 'check'],
    rows,
    notes: [
      'distcc runs with DISTCC_FALLBACK=0, so a finished build means every compile was distributed.',
      'sshcc check: compiles that ran on the volunteer (SSHCC_LOG) and objects identical to the local build; (d) and (e) run with the result cache off (SSHCC_CACHE=0), (f) rebuilds after make clean with it warm: every compile answered from the agent\'s cache (SSHCC_LOG), objects identical.',
      'CPU s: all CPU the build cost on this machine, wherever it ran (medians): client side = make and everything it started (compilers, clients, distcc\'s cpp and ssh) + the sshcc agent and its preprocessors; server side = the volunteer\'s sshd tree (sessions, sshcc-server or distccd --inetd, compilers) or the TCP distccd tree. On one machine, wall ≥ CPU s / cores, so with every core busy the CPU ratio bounds the wall ratio; it is also the figure least disturbed by other work on a shared machine.',
    ],
    targets,
    data,
  };
}

function describeCheck(key, checks, objects) {
  if (key === 'local') return 'reference';
  if (key === 'distcc-ssh') return 'remote (fallback off)';
  if (key === 'distcc-tcp') return `${Math.min(...checks.map((c) => c.remote))}/${objects} on distccd`;
  const same = Math.min(...checks.map((c) => c.identical + c.equivalent));
  if (key === 'sshcc-cache') return `${Math.min(...checks.map((c) => c.cached))}/${objects} from the cache, ${same}/${objects} objects match`;
  const remote = Math.min(...checks.map((c) => c.remote));
  return `${remote}/${objects} remote, ${same}/${objects} objects match`;
}

module.exports = { buildPhase };
