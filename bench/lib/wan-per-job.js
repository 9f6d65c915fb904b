'use strict';
// What one job costs on the far link, in round trips: compiles one after another (nothing hides the
// latency), in the same run as an RTT measurement of the link itself. Each job is compiled three ways
// back to back, in rotating order — local gcc, sshcc to a loopback volunteer, sshcc to the far one — and
// each compile is timed on its own, so differences are paired job by job and load that drifts on a
// shared machine falls on all three alike.
//   trivial: unique one-function files (`gcc -O2 -c`);
//   real:    the real project's own compile commands (recorded from a build), real source sizes.
// Overhead = far − local; its budget is 1.5 RTT + the job's bytes on the link (both ways, the veth's
// counters) at the link's rate. (far − loopback − transfer) / RTT is the number of round trips a job
// waits on the link once sshcc's own local cost is taken out (issue 9 item 3 says: one).
const fs = require('node:fs');
const path = require('node:path');
const { writeSources } = require('./trivial-sources');
const { runCommand } = require('./run-command');
const { shq } = require('./timed-loop');
const { writeRecorder, readRecords } = require('./record-compiles');
const { stampedLoop } = require('./wan-job-loop');
const { distccEnv, writeSshWrapper } = require('./distcc');
const { SSHCC, readJobLog } = require('./sshcc');
const { requireRemote } = require('./warm-agent');
const { compareObject } = require('./compare-objects');
const { sshEchoRtt } = require('./wan-rtt');
const { linkCounters, linkDelta, linkSeconds } = require('./wan-link-bytes');
const { nextRoundFlag } = require('./wan-builds');
const { median, summarize } = require('./stats');
const { msText } = require('./format');

const RTT_SAMPLES = 30;
const KEYS = ['local', 'near', 'far'];

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

/** `NAME=value …` for what `env` sets beyond this process's environment (bash prefix assignments). */
function envPrefix(env) {
  return Object.entries(env)
    .filter(([name, value]) => process.env[name] !== value)
    .map(([name, value]) => `${name}=${shq(value)}`)
    .join(' ');
}

/** The real project's compile commands: [{ cwd, argv }] of a recorded local build (`-c` only). */
async function recordCompiles(ctx, project, tree) {
  const recorder = writeRecorder(ctx.dir('scratch'));
  const file = path.join(ctx.dir('scratch'), `wan-record-${project.name}`);
  fs.rmSync(file, { force: true });
  const clean = project.clean();
  await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
  // -j1: the recorder appends each record in two writes, which parallel compiles could interleave.
  const { cmd, args } = project.build(`${recorder} ${project.compiler}`, 1, tree);
  await runCommand(cmd, args, { cwd: tree, env: { ...process.env, SSHCC_BENCH_RECORD: file }, check: true });
  return readRecords(file).filter((r) => r.argv.includes('-c') && r.argv.includes('-o'));
}

async function wanPerJob(ctx, { far, sshccEnv, nearEnv, shape, project, tree }) {
  const { options, log } = ctx;
  const logs = { near: path.join(ctx.dir('scratch'), 'wan-oh-near.log'), far: path.join(ctx.dir('scratch'), 'wan-oh-far.log') };
  const prefixes = { local: '', near: envPrefix({ ...nearEnv, SSHCC_LOG: logs.near }), far: envPrefix({ ...sshccEnv, SSHCC_LOG: logs.far }) };
  const client = (key) => (key === 'local' ? '' : `${SSHCC} `);
  const records = await recordCompiles(ctx, project, tree);
  const outDir = (key) => ctx.dir('trees', 'wan-oh-real', key);

  const rttSamples = [];
  const measureRtt = async () => {
    const rtt = await sshEchoRtt({ sshConfigFile: far.config.sshConfigFile, alias: far.alias, samples: RTT_SAMPLES });
    rttSamples.push(...rtt.samples);
    log(`  link RTT (ssh echo, ${RTT_SAMPLES}×): median ${msText(rtt.median)} ms, ${msText(rtt.min)}–${msText(rtt.max)}`);
  };

  // Line makers: job i of a repetition, for one client.
  const sets = {
    trivial: {
      jobs: options.wanOverheadJobs,
      prepare: (rep) => Object.fromEntries(KEYS.map((key) => {
        const dir = ctx.freshDir(`wan-oh-trivial-${key}`);
        return [key, writeSources(dir, options.wanOverheadJobs, `wan_${key}_${rep}_${Date.now()}`).map((n) => path.join(dir, n))];
      })),
      line: (key, i, files) => `${prefixes[key]} ${client(key)}gcc -O2 -c ${shq(files[key][i])} -o ${shq(files[key][i].replace(/\.c$/, '.o'))}`,
    },
    real: {
      jobs: records.length,
      // A flag per client and repetition: no result cache (agent or volunteer) answers a compile twice.
      prepare: () => Object.fromEntries(KEYS.map((key) => [key, nextRoundFlag()])),
      line: (key, i, flags) => {
        const { cwd, argv } = records[i];
        const out = argv.indexOf('-o');
        const args = argv.map((a, j) => (j === out + 1 ? path.join(outDir(key), path.basename(a)) : a));
        return `cd ${shq(cwd)} && ${prefixes[key]} ${client(key)}${[args[0], flags[key], ...args.slice(1)].map(shq).join(' ')}`;
      },
    },
  };

  const results = {};
  for (const [name, set] of Object.entries(sets)) {
    const paired = { near: [], far: [] };
    const times = { local: [], near: [], far: [] };
    let wire = { up: 0, down: 0, packets: 0 };
    for (let rep = 0; rep < options.wanOverheadReps; rep++) {
      await measureRtt();
      for (const file of Object.values(logs)) fs.rmSync(file, { force: true });
      const input = set.prepare(rep);
      const lines = [];
      for (let i = 0; i < set.jobs; i++) {
        for (let k = 0; k < KEYS.length; k++) {
          const key = KEYS[(i + rep + k) % KEYS.length];
          lines.push({ key, i, line: set.line(key, i, input) });
        }
      }
      const before = linkCounters(far.device);
      const loop = await stampedLoop(lines.map((l) => l.line), { cwd: tree, env: process.env, scriptDir: ctx.dir('scratch') });
      const delta = linkDelta(before, linkCounters(far.device));
      wire = { up: wire.up + delta.up, down: wire.down + delta.down, packets: wire.packets + delta.packets };
      const byJob = KEYS.map(() => []);
      lines.forEach((l, n) => (byJob[KEYS.indexOf(l.key)][l.i] = loop.jobMs[n]));
      const [local, near, farMs] = byJob;
      for (let i = 0; i < set.jobs; i++) {
        paired.near.push(near[i] - local[i]);
        paired.far.push(farMs[i] - local[i]);
      }
      times.local.push(...local);
      times.near.push(...near);
      times.far.push(...farMs);
      for (const key of ['near', 'far']) requireRemote(`${name} jobs, sshcc to the ${key} volunteer`, readJobLog(logs[key]), set.jobs);
      if (name === 'real') {
        for (const record of records) {
          const obj = path.basename(record.argv[record.argv.indexOf('-o') + 1]);
          for (const key of ['near', 'far']) {
            const verdict = compareObject(path.join(outDir('local'), obj), path.join(outDir(key), obj));
            if (verdict !== 'identical' && verdict !== 'equivalent (-g)') throw new Error(`${obj} through the ${key} volunteer: ${verdict}`);
          }
        }
      }
      log(`  rep ${rep + 1}/${options.wanOverheadReps} ${name} jobs (${set.jobs} each): median ms local ${msText(median(local))}, loopback ${msText(median(near))}, far ${msText(median(farMs))}`);
    }
    const jobs = set.jobs * options.wanOverheadReps;
    results[name] = { jobs, times: mapObject(times, summarize), meanMs: mapObject(times, mean), paired, wirePerJob: { up: wire.up / jobs, down: wire.down / jobs, packets: wire.packets / jobs } };
  }
  await measureRtt();
  const rtt = summarize(rttSamples);

  for (const r of Object.values(results)) {
    const transferMs = linkSeconds(r.wirePerJob, shape.rateMbit) * 1000;
    const budgetMs = 1.5 * rtt.median + transferMs;
    r.overhead = Object.fromEntries(
      ['median', 'mean'].map((stat) => {
        const f = stat === 'median' ? median : mean;
        const overMs = f(r.paired.far);
        const nearOverMs = f(r.paired.near);
        const linkRoundTrips = (f(r.paired.far.map((x, i) => x - r.paired.near[i])) - transferMs) / rtt.median;
        return [stat, { overMs, nearOverMs, rtts: overMs / rtt.median, linkRoundTrips, transferMs, budgetMs, met: overMs <= budgetMs }];
      }),
    );
  }
  results.distcc = await distccJobs(ctx, far, rtt);
  return { rtt, ...results };
}

/** A few trivial jobs through distcc over ssh to the far volunteer (a whole ssh handshake each: slow). */
async function distccJobs(ctx, far, rtt) {
  const { options } = ctx;
  const sshWrapper = writeSshWrapper(ctx.dir('scratch', 'wan'), far.config.sshConfigFile);
  const env = distccEnv({ hosts: `@${far.alias}/1`, stateDir: ctx.dir('scratch', 'wan-oh-distcc'), sshWrapper });
  const dir = ctx.freshDir('wan-oh-distcc');
  const names = writeSources(dir, options.wanOverheadSshJobs, `wan_distcc_${Date.now()}`);
  const before = linkCounters(far.device);
  const loop = await stampedLoop(names.map((n) => `distcc gcc -O2 -c ${shq(n)} -o ${shq(n.replace(/\.c$/, '.o'))}`), { cwd: dir, env, scriptDir: ctx.dir('scratch') });
  const wire = linkDelta(before, linkCounters(far.device));
  const jobs = names.length;
  ctx.log(`  trivial jobs through distcc over ssh: median ${msText(median(loop.jobMs))} ms/job`);
  return { jobs, times: summarize(loop.jobMs), meanMs: mean(loop.jobMs), rtts: median(loop.jobMs) / rtt.median, wirePerJob: { up: wire.up / jobs, down: wire.down / jobs, packets: wire.packets / jobs } };
}

function mapObject(object, fn) {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v)]));
}

module.exports = { wanPerJob };
