'use strict';
// Phase 2: the cost of one job. N trivial compiles one after another (no parallelism to hide latency):
// wall per job for local gcc, distcc over ssh and TCP, and sshcc through the C shim and the TS client;
// the clients' own start-up; and the client-side CPU per remote job.
//
// Client-side CPU = every process the loop started (bash's `times`: getrusage(RUSAGE_CHILDREN), so the
// client, and for distcc its cpp and ssh) + for sshcc the agent's own CPU and that of the preprocessors
// it ran (utime+stime and cutime+cstime of /proc/<agent>/stat, read before and after). The volunteer's
// side (sshd, sshcc-server or distccd, the compiler) is not client-side and is not counted.
const path = require('node:path');
const { writeSources } = require('../lib/trivial-sources');
const { timedLoop, shq } = require('../lib/timed-loop');
const { distccEnv } = require('../lib/distcc');
const { SSHCC, THIN_CLIENT, cacheOn, readJobLog } = require('../lib/sshcc');
const { writeTsClientLauncher } = require('../lib/ts-client-launcher');
const { warmAgent, requireRemote, requireCached } = require('../lib/warm-agent');
const { cpuTimes, cpuDelta } = require('../lib/proc-stat');
const { summarize, median } = require('../lib/stats');
const { msText, ratio, range } = require('../lib/format');

async function overheadPhase(ctx) {
  const { options, log } = ctx;
  const { alias, config } = await ctx.mainVolunteer();
  const sshWrapper = await ctx.distccSshWrapper();
  const distccd = await ctx.distccd();
  const env = ctx.sshccEnv('overhead', `${alias}/${options.jobs}`, config);
  const launcher = await writeTsClientLauncher(ctx.dir('scratch', 'ts-client'));
  await ctx.coldAgent('overhead');
  await warmAgent(ctx, env, options.jobs, 'overhead');

  const variants = [
    { key: 'local', label: 'local gcc', cc: 'gcc', env: process.env, n: options.overheadJobs },
    { key: 'distcc-ssh', label: 'distcc over ssh', cc: 'distcc gcc', env: distccEnv({ hosts: `@${alias}/1`, stateDir: ctx.dir('scratch', 'oh-distcc-ssh'), sshWrapper }), n: options.overheadSshJobs },
    { key: 'distcc-tcp', label: 'distcc over TCP', cc: 'distcc gcc', env: distccEnv({ hosts: `127.0.0.1:${distccd.port}/1`, stateDir: ctx.dir('scratch', 'oh-distcc-tcp') }), n: options.overheadJobs },
    { key: 'sshcc-shim', label: 'sshcc, C shim', cc: `${SSHCC} gcc`, env, n: options.overheadJobs, agent: true },
    { key: 'sshcc-ts', label: 'sshcc, TS client', cc: `${launcher} gcc`, env, n: options.overheadJobs, agent: true },
    // The same files compiled once untimed with the cache on, then again: every timed job is an agent hit,
    // found after its cpp run (SSHCC_DIRECT=0: a direct hit, with no cpp run, is not what this row measures).
    { key: 'sshcc-hit', label: 'sshcc, C shim, result cache hit after cpp', cc: `${SSHCC} gcc`, env: { ...cacheOn(env), SSHCC_DIRECT: '0' }, n: options.overheadJobs, agent: true, cached: true },
    // What a hit cannot avoid: the key is a hash of the preprocessed source.
    { key: 'cpp', label: 'its preprocessor alone (gcc -E -fdirectives-only)', cc: 'gcc -E -fdirectives-only', env: process.env, n: options.overheadJobs },
  ];
  const per = Object.fromEntries(variants.map((v) => [v.key, { wall: [], cpu: [], clients: [], agent: [], cpp: [], remote: [] }]));
  for (let rep = 0; rep < options.overheadReps; rep++) {
    const order = variants.map((_, i) => variants[(i + rep) % variants.length]);
    for (const v of order) {
      const dir = ctx.freshDir(`overhead-${v.key}`);
      const names = writeSources(dir, v.n, `oh_${v.key.replace(/-/g, '_')}_${rep}_${Date.now()}`);
      const jobLog = path.join(dir, 'jobs.log');
      const lines = names.map((n) => `${v.cc} -O2 -c ${shq(n)} -o ${shq(n.replace(/\.c$/, '.o'))}`);
      const pid = v.agent ? ctx.agentPid('overhead') : null;
      if (v.agent && pid === null) throw new Error('the overhead agent is not running');
      if (v.cached) await timedLoop(lines, { cwd: dir, env: v.env, scriptDir: ctx.dir('scratch') });
      const before = pid ? cpuTimes(pid) : null;
      const loop = await timedLoop(lines, { cwd: dir, env: v.agent ? { ...v.env, SSHCC_LOG: jobLog } : v.env, scriptDir: ctx.dir('scratch') });
      const agentCpu = pid ? cpuDelta(before, cpuTimes(pid)) : { selfMs: 0, childrenMs: 0 };
      const p = per[v.key];
      p.wall.push(loop.wallMs / v.n);
      p.clients.push(loop.childCpuMs / v.n);
      p.agent.push(agentCpu.selfMs / v.n);
      p.cpp.push(agentCpu.childrenMs / v.n);
      p.cpu.push((loop.childCpuMs + agentCpu.selfMs + agentCpu.childrenMs) / v.n);
      if (v.agent) {
        const ran = readJobLog(jobLog);
        p.remote.push(ran.remote / v.n);
        if (v.cached) requireCached(v.label, ran, v.n);
        else requireRemote(v.label, ran, v.n);
      }
      log(`  rep ${rep + 1}/${options.overheadReps} ${v.label}: ${msText(loop.wallMs / v.n)} ms/job wall, ${msText(p.cpu.at(-1))} ms/job client-side CPU`);
    }
  }

  const startup = await measureStartup(ctx, launcher);

  const localWall = per.local.wall;
  const rows = variants.map((v) => {
    const p = per[v.key];
    const wall = summarize(p.wall);
    const over = summarize(p.wall.map((w, i) => w - localWall[i]));
    const cpu = summarize(p.cpu);
    const split = v.agent ? `${msText(median(p.clients))} + ${msText(median(p.agent))} + ${msText(median(p.cpp))}` : '–';
    return [v.label, String(v.n), msText(wall.median), range(wall, msText), v.key === 'local' ? '–' : msText(over.median), msText(cpu.median), split];
  });
  const data = { variants: Object.fromEntries(variants.map((v) => [v.key, { label: v.label, jobs: v.n, ...mapValues(per[v.key], summarize) }])), startup };

  const overShim = median(per['sshcc-shim'].wall.map((w, i) => w - localWall[i]));
  const cpuRatio = median(per['sshcc-shim'].cpu) / median(per['distcc-tcp'].cpu);
  // A hit still preprocesses (the key hashes the preprocessed source); what the cache adds is the rest.
  const hitBeyondCpp = median(per['sshcc-hit'].wall.map((w, i) => w - per.cpp.wall[i]));
  const tsVsNode = startup.rows['ts-client'].median / startup.rows['node-plain'].median;
  const tsVsNodeHere = startup.rows['node-ca'] ? startup.rows['ts-client'].median / startup.rows['node-ca'].median : null;
  const targets = [
    { what: 'per-job overhead over local gcc, C shim', target: '≤ 30 ms', measured: `${msText(overShim)} ms`, met: overShim <= 30 },
    { what: 'C shim start-up', target: '≤ 5 ms', measured: `${msText(startup.rows.shim.median)} ms`, met: startup.rows.shim.median <= 5 },
    ...(tsVsNodeHere === null
      ? []
      : [{ what: 'TS client start-up vs `node -e 0` in this environment (NODE_EXTRA_CA_CERTS set)', target: '≤ 1.10×', measured: ratio(tsVsNodeHere), met: tsVsNodeHere <= 1.1 }]),
    { what: 'TS client start-up vs `node -e 0`, both without NODE_EXTRA_CA_CERTS', target: '≤ 1.10×', measured: ratio(tsVsNode), met: tsVsNode <= 1.1 },
    { what: 'client-side CPU per remote job vs distcc over TCP', target: '≤ 1.50×', measured: ratio(cpuRatio), met: cpuRatio <= 1.5 },
    { what: 'cache hit: wall per job beyond its preprocessor vs C shim start-up', target: '≤ 1.20×', measured: ratio(hitBeyondCpp / startup.rows.shim.median), met: hitBeyondCpp <= 1.2 * startup.rows.shim.median },
  ];
  return {
    key: 'overhead',
    title: `Per-job overhead: trivial compiles one at a time (-O2 -c), ${options.overheadReps} repetitions`,
    headers: ['client', 'jobs', 'wall ms/job', 'min–max', 'over local ms', 'client-side CPU ms/job', 'CPU: client + agent + cpp'],
    rows: [...rows, ...startup.tableRows],
    notes: [
      'Client-side CPU: the processes the build started (getrusage of children: the client, and for distcc its cpp and ssh) plus, for sshcc, the agent and the preprocessors it ran (/proc/<agent>/stat). Local gcc: the whole compile.',
      'Cache hit: the same files compiled once untimed with the result cache on, then timed: every job answered from the agent\'s cache (SSHCC_LOG). A hit still runs the preprocessor (the key hashes its output), so its cost is compared beyond the preprocessor alone.',
      `Start-up: each command ${options.startupRuns} times in a bash loop; the shim and the TS client are stopped by SSHCC_DEPTH=3 right after start-up. TS client as its launcher runs it (NODE_EXTRA_CA_CERTS moved aside); \`node -e 0\` both ways.`,
    ],
    targets,
    data,
  };
}

/** Wall per start of the clients (and of node itself), from loops of `startupRuns` runs each. */
async function measureStartup(ctx, launcher) {
  const { options } = ctx;
  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  const noCa = { ...process.env };
  delete noCa.NODE_EXTRA_CA_CERTS;
  const tsEnv = caCerts === undefined ? noCa : { ...noCa, SSHCC_HANDOVER_CA_CERTS: caCerts };
  const kinds = [
    { key: 'true', label: 'start-up: /bin/true (fork+exec floor)', line: '/bin/true', env: process.env },
    { key: 'shim', label: 'start-up: C shim', line: `SSHCC_DEPTH=3 ${SSHCC} gcc 2>/dev/null || :`, env: process.env },
    { key: 'ts-client', label: 'start-up: TS client (node + bundle)', line: `SSHCC_DEPTH=3 ${process.execPath} ${THIN_CLIENT} gcc 2>/dev/null || :`, env: tsEnv },
    { key: 'node-plain', label: 'start-up: `node -e 0`, no NODE_EXTRA_CA_CERTS', line: `${process.execPath} -e 0`, env: noCa },
    ...(caCerts === undefined ? [] : [{ key: 'node-ca', label: 'start-up: `node -e 0`, NODE_EXTRA_CA_CERTS as set here', line: `${process.execPath} -e 0`, env: process.env }]),
  ];
  void launcher;
  const samples = Object.fromEntries(kinds.map((k) => [k.key, []]));
  for (let rep = 0; rep < options.overheadReps; rep++) {
    for (const k of kinds.map((_, i) => kinds[(i + rep) % kinds.length])) {
      const loop = await timedLoop(Array(options.startupRuns).fill(k.line), { cwd: ctx.dir('scratch'), env: k.env, scriptDir: ctx.dir('scratch') });
      samples[k.key].push(loop.wallMs / options.startupRuns);
    }
  }
  const rows = Object.fromEntries(kinds.map((k) => [k.key, summarize(samples[k.key])]));
  const tableRows = kinds.map((k) => [k.label, String(options.startupRuns), msText(rows[k.key].median), range(rows[k.key], msText), '–', '–', '–']);
  return { rows, tableRows };
}

function mapValues(object, fn) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v.length > 0).map(([k, v]) => [k, fn(v)]));
}

module.exports = { overheadPhase };
