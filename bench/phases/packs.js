'use strict';
// Phase `packs` (issue 16): toolchain packs.
//   1. Building a pack of gcc, g++ and clang, against icecream's icecc-create-env for the same compilers
//      in the same run: time, files, unpacked and compressed size.
//   2. The first push to a volunteer without compilers (its sshd's mount namespace covers them all), over
//      loopback and over the emulated 20 Mbit WAN link; then g++'s pack to the same volunteer (it shares
//      all but its driver with gcc's).
//   3. Lua built from cold (fresh agent, fresh packs on both sides): locally, through a volunteer with
//      gcc installed, through a volunteer without compilers (the pack is built and pushed during the
//      build), and again from a fresh agent (the volunteer now holds the pack: no pack bytes).
// Needs root (mount namespaces; the WAN link). Not in the default run: `--only packs`.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { compilersHere, hidingUnavailable, makeClientConfig, startVolunteer } = require('@sshcc/testkit');
const { PROJECTS } = require('../lib/projects');
const { upstreamTarball, extractTree } = require('../lib/debian-source');
const { runCommand } = require('../lib/run-command');
const { timedLoop, shq } = require('../lib/timed-loop');
const { SSHCC, readJobLog, stopAgent } = require('../lib/sshcc');
const { startBenchWanVolunteer } = require('../lib/wan-volunteer');
const { summarize, median } = require('../lib/stats');
const { sec, ratio, range } = require('../lib/format');

const STORE_DIST = path.resolve(__dirname, '..', '..', 'packages', 'store', 'dist');
/** Issue 16's goals: a gcc + g++ pack ≤ 24 MiB on the wire, built faster than icecream; a first push ≤ 15 s over 20 Mbit. */
const WIRE_GOAL_MIB = 24;
const WAN_PUSH_GOAL_S = 15;
const MiB = 1024 * 1024;
const mib = (bytes) => (bytes / MiB).toFixed(1);

async function packsPhase(ctx) {
  const { options, log } = ctx;
  const why = hidingUnavailable();
  if (why !== undefined) throw new Error(`no volunteer without compilers here: ${why}`);
  const reps = options.quick ? 1 : Math.min(options.reps, 3);
  const building = await packBuilds(ctx, reps);
  const pushes = await firstPushes(ctx, reps);
  const builds = await coldBuilds(ctx, reps);

  const icecc = building.icecc;
  const gccWire = building.sshcc.gcc.archiveBytes + pushes.gxxWireBytes;
  const rows = [
    ...['gcc', 'g++', 'clang'].map((name) => {
      const b = building.sshcc[name];
      return [`sshcc pack: ${name}`, String(b.files), mib(b.unpackedBytes), mib(b.archiveBytes), sec(b.ms.median), range(b.ms, sec), name === 'clang' ? ratio(b.ms.median / icecc.clang.ms.median) : ratio(b.ms.median / icecc.gcc.ms.median)];
    }),
    ['sshcc packs gcc + g++ to one volunteer (g++ sends only its driver)', '–', '–', mib(gccWire), '–', '–', '–'],
    ['icecc-create-env --gcc gcc g++', String(icecc.gcc.files), mib(icecc.gcc.unpackedBytes), mib(icecc.gcc.archiveBytes), sec(icecc.gcc.ms.median), range(icecc.gcc.ms, sec), '1.00× (baseline)'],
    ['icecc-create-env --clang clang', String(icecc.clang.files), mib(icecc.clang.unpackedBytes), mib(icecc.clang.archiveBytes), sec(icecc.clang.ms.median), range(icecc.clang.ms, sec), '1.00× (baseline)'],
  ];
  const pushRows = pushes.rows.map((p) => [p.label, sec(p.ms.median), range(p.ms, sec), p.sent]);
  const local = builds.per.local;
  const buildRows = builds.variants.map((v) => {
    const per = builds.per[v.key];
    const r = summarize(per.ms.map((ms, i) => ms / local.ms[i]));
    return [v.label, sec(median(per.ms)), range(summarize(per.ms), sec), ratio(r.median), range(r, (x) => x.toFixed(2)), per.note];
  });
  const targets = [
    { what: 'gcc + g++ packs on the wire to one volunteer', target: `≤ ${WIRE_GOAL_MIB} MiB`, measured: `${mib(gccWire)} MiB`, met: gccWire <= WIRE_GOAL_MIB * MiB },
    {
      what: 'building the gcc pack, against icecc-create-env for gcc + g++',
      target: '< icecream',
      measured: `${sec(building.sshcc.gcc.ms.median)} s vs ${sec(icecc.gcc.ms.median)} s`,
      met: building.sshcc.gcc.ms.median < icecc.gcc.ms.median,
    },
    { what: 'first push of gcc\'s pack over the 20 Mbit WAN link', target: `≤ ${WAN_PUSH_GOAL_S} s`, measured: `${sec(pushes.wanMs)} s`, met: pushes.wanMs <= WAN_PUSH_GOAL_S * 1000 },
  ];
  return {
    key: 'packs',
    title: 'Toolchain packs: building, pushing, and a cold build on a volunteer without compilers',
    headers: ['pack', 'files', 'unpacked MiB', 'on the wire MiB', 'build s (median)', 'min–max s', '× icecc-create-env time'],
    rows,
    notes: [
      `Pack build: median of ${reps} into a fresh folder each (sshcc's pack: hash, tar, brotli q5 with a 128 MiB window; icecc-create-env: its own tar.gz). Unpacked = the sum of the files' sizes.`,
    ],
    tables: [
      { title: 'First push to a volunteer without compilers (agent log: from the decision to push until the volunteer has stored and checked it)', headers: ['push', 's (median)', 'min–max s', 'sent'], rows: pushRows, notes: ['A fresh volunteer store and a fresh agent each time; the agent\'s own pack was built before (phase table above), so this is hashing, the transfer and the volunteer\'s checks.'] },
      {
        title: `Lua from cold, make -j${options.jobs} (× local of the same round)`,
        headers: ['variant', 'wall s (median)', 'min–max s', '× local', '× local min–max', 'remote / pack'],
        rows: buildRows,
        notes: ['Cold: a new agent, an empty agent pack cache and an empty volunteer store each round (the pack is built and pushed while the build runs; jobs meanwhile run locally; a push the build outlasted is let finish, untimed, before the next variant). Result cache off. "again": a new agent with an empty pack cache: its first job finds no gcc there, the push that follows sends 0 bytes.'],
      },
    ],
    targets,
    data: { building, pushes, builds },
  };
}

/** 1. Packs built by sshcc and by icecc-create-env, `reps` times each into a fresh folder. */
async function packBuilds(ctx, reps) {
  const { buildPack, fingerprintCompiler } = require(STORE_DIST);
  const sshcc = {};
  for (const name of ['gcc', 'g++', 'clang']) {
    const compiler = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    const fingerprint = await fingerprintCompiler(compiler);
    const ms = [];
    let built;
    for (let i = 0; i < reps; i++) {
      const dir = ctx.freshDir(`packs-${name}-${i}`);
      const t0 = Date.now();
      built = await buildPack(compiler, fingerprint, dir);
      ms.push(Date.now() - t0);
    }
    sshcc[name] = { ms: summarize(ms), files: built.manifest.files.length, unpackedBytes: built.unpackedBytes, archiveBytes: built.archiveBytes, id: built.id };
    ctx.log(`  sshcc pack ${name}: ${built.manifest.files.length} files, ${mib(built.unpackedBytes)} MiB → ${mib(built.archiveBytes)} MiB in ${sec(median(ms))} s`);
  }
  const icecc = {};
  for (const [name, args] of [['gcc', ['--gcc', '/usr/bin/gcc', '/usr/bin/g++']], ['clang', ['--clang', '/usr/bin/clang']]]) {
    const ms = [];
    let figures;
    for (let i = 0; i < reps; i++) {
      const dir = ctx.freshDir(`icecc-${name}-${i}`);
      const t0 = Date.now();
      await runCommand('icecc-create-env', args, { cwd: dir, check: true });
      ms.push(Date.now() - t0);
      figures = tarballFigures(dir);
    }
    icecc[name] = { ms: summarize(ms), ...figures };
    ctx.log(`  icecc-create-env ${name}: ${figures.files} files, ${mib(figures.unpackedBytes)} MiB → ${mib(figures.archiveBytes)} MiB in ${sec(median(ms))} s`);
  }
  return { sshcc, icecc };
}

/** Files, unpacked bytes and size of the one tar.gz icecc-create-env left in `dir`. */
function tarballFigures(dir) {
  const tarball = fs.readdirSync(dir).find((name) => name.endsWith('.tar.gz'));
  if (tarball === undefined) throw new Error(`icecc-create-env left no tar.gz in ${dir}`);
  const file = path.join(dir, tarball);
  const listing = execFileSync('tar', ['tzvf', file], { encoding: 'utf8' }).split('\n').filter((line) => line.startsWith('-'));
  const unpackedBytes = listing.reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[2]), 0);
  return { files: listing.length, unpackedBytes, archiveBytes: fs.statSync(file).size };
}

/** A volunteer whose sessions can run no compiler, with its own (empty) pack store. */
function bareVolunteerOptions(ctx, name) {
  const home = ctx.freshDir(`${name}-home`);
  return { options: { hide: compilersHere(), env: { HOME: home, TMPDIR: require('node:os').tmpdir(), XDG_CACHE_HOME: path.join(home, 'cache') } }, store: path.join(home, 'cache', 'sshcc', 'toolchains') };
}

async function bareVolunteer(ctx, name) {
  const { options, store } = bareVolunteerOptions(ctx, name);
  return { volunteer: await startVolunteer(options), store };
}

/** Empties a volunteer's pack store (packs are sealed read-only). */
function emptyStore(store) {
  if (fs.existsSync(store)) execFileSync('sh', ['-c', `chmod -R u+w ${shq(store)} && rm -rf ${shq(store)}`]);
}

/**
 * One compile through a fresh agent whose pack cache is `packsHome` (already built there): the job goes
 * local, the push starts; resolves with the agent's push line once the volunteer has answered.
 */
async function pushOnce(ctx, { name, alias, config, packsHome, source, compiler }) {
  const env = ctx.sshccEnv(name, `${alias}/2`, config);
  await ctx.coldAgent(name);
  env.XDG_CACHE_HOME = packsHome;
  const dir = ctx.freshDir(`${name}-src`);
  fs.writeFileSync(path.join(dir, source.file), source.text);
  const logFile = path.join(env.SSHCC_DIR, 'agent.log');
  // The log is the agent dir's, appended by every agent of it: only this agent's lines count.
  const skip = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  await runCommand(SSHCC, [compiler, '-c', source.file, '-o', 'x.o'], { cwd: dir, env, check: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    const line = (fs.existsSync(logFile) ? fs.readFileSync(logFile).subarray(skip).toString('utf8') : '').split('\n').find((l) => / toolchain pack /.test(l));
    if (line !== undefined) {
      const m = /(in place|not pushed): (.*) \((\d+\.\d) s\)$/.exec(line);
      if (!m || m[1] !== 'in place') throw new Error(`push failed: ${line}`);
      await stopAgent(env);
      return { ms: Number(m[3]) * 1000, sent: m[2], wireBytes: /, (\d+\.\d) MiB$/.test(m[2]) ? Number(/, (\d+\.\d) MiB$/.exec(m[2])[1]) * MiB : 0 };
    }
    if (Date.now() > deadline) throw new Error(`no push line in ${logFile} after 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const C_SOURCE = { file: 'x.c', text: 'int twice(int v) { return 2 * v; }\n' };
const CXX_SOURCE = { file: 'x.cc', text: 'template <class T> T twice(T v) { return 2 * v; }\nint f(int v) { return twice(v); }\n' };

/** 2. gcc's first push over loopback and over the WAN link; then g++'s to a volunteer that holds gcc's. */
async function firstPushes(ctx, reps) {
  const packsHome = ctx.dir('packs-client');
  // The agent's packs are built first: the pushes time hashing, the transfer and the volunteer's checks.
  const { buildPack, fingerprintCompiler } = require(STORE_DIST);
  for (const name of ['gcc', 'g++']) {
    const compiler = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    await buildPack(compiler, await fingerprintCompiler(compiler), path.join(packsHome, 'sshcc', 'packs'));
  }
  const near = await bareVolunteer(ctx, 'packs-near');
  const nearConfig = await makeClientConfig([near.volunteer]);
  const loop = [];
  let gxx = null;
  for (let i = 0; i < reps; i++) {
    emptyStore(near.store);
    loop.push(await pushOnce(ctx, { name: 'packs-near', alias: nearConfig.aliases[0], config: nearConfig, packsHome, source: C_SOURCE, compiler: 'gcc' }));
    gxx = await pushOnce(ctx, { name: 'packs-near', alias: nearConfig.aliases[0], config: nearConfig, packsHome, source: CXX_SOURCE, compiler: 'g++' });
  }
  const shape = ctx.options.wanShape;
  // The far volunteer's sshd is in a network namespace, not another file system: its store is emptied here.
  const farBare = bareVolunteerOptions(ctx, 'packs-far');
  const far = await startBenchWanVolunteer(ctx, shape, farBare.options);
  const wan = [];
  for (let i = 0; i < reps; i++) {
    emptyStore(farBare.store);
    wan.push(await pushOnce(ctx, { name: 'packs-far', alias: far.alias, config: far.config, packsHome, source: C_SOURCE, compiler: 'gcc' }));
  }
  const rows = [
    { label: 'gcc, loopback', ms: summarize(loop.map((p) => p.ms)), sent: loop[0].sent },
    { label: 'g++ after gcc, loopback', ms: summarize([gxx.ms]), sent: gxx.sent },
    { label: `gcc, WAN ${shape.delayMs} ms, ${shape.rateMbit} Mbit/s, ${shape.lossPercent}% loss`, ms: summarize(wan.map((p) => p.ms)), sent: wan[0].sent },
  ];
  return { rows, wanMs: median(wan.map((p) => p.ms)), gxxWireBytes: gxx.wireBytes };
}

/** 3. Lua from cold: local, an installed-gcc volunteer, a volunteer without compilers, and again. */
async function coldBuilds(ctx, reps) {
  const { options, log } = ctx;
  const project = PROJECTS.lua;
  const tree = extractTree(upstreamTarball(project.debianPackage, ctx.dir('sources'), log), path.join(ctx.work, 'trees', 'packs-lua'));
  const jobs = options.jobs;
  const installed = await ctx.mainVolunteer();
  const bare = await bareVolunteer(ctx, 'packs-cold');
  const bareConfig = await makeClientConfig([bare.volunteer]);
  const variants = [
    { key: 'local', label: 'local make', cc: project.compiler, env: () => process.env },
    { key: 'installed', label: 'sshcc, volunteer with gcc installed', agent: 'packs-installed', alias: installed.alias, config: installed.config },
    { key: 'push', label: 'sshcc, volunteer without compilers (pack built and pushed during the build)', agent: 'packs-push', alias: bareConfig.aliases[0], config: bareConfig, fresh: true },
    { key: 'again', label: 'sshcc again, a fresh agent (the volunteer holds the pack)', agent: 'packs-again', alias: bareConfig.aliases[0], config: bareConfig },
  ];
  const per = Object.fromEntries(variants.map((v) => [v.key, { ms: [], note: '' }]));
  for (let round = 0; round < reps; round++) {
    emptyStore(bare.store);
    for (const v of variants) {
      let env = process.env;
      if (v.agent) {
        fs.rmSync(ctx.dir('agents', v.agent), { recursive: true, force: true });
        env = ctx.sshccEnv(v.agent, `${v.alias}/${jobs}`, v.config);
        await ctx.coldAgent(v.agent);
        env.SSHCC_LOG = path.join(ctx.dir('scratch'), `${v.agent}-${round}.log`);
      }
      const clean = project.clean();
      await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
      const { cmd, args } = project.build(v.agent ? `${SSHCC} ${project.compiler}` : project.compiler, jobs, tree);
      const loop = await timedLoop([[cmd, ...args].map(shq).join(' ')], { cwd: tree, env, scriptDir: ctx.dir('scratch') });
      per[v.key].ms.push(loop.wallMs);
      if (v.agent) {
        const jobsLog = readJobLog(env.SSHCC_LOG);
        const agentLogFile = path.join(env.SSHCC_DIR, 'agent.log');
        const pushLine = () => fs.readFileSync(agentLogFile, 'utf8').split('\n').find((line) => / toolchain pack /.test(line));
        // A Lua build on 2 cores can end before the pack has been built and pushed: let the push finish
        // (untimed) so the next variant finds the pack there.
        for (const deadline = Date.now() + 240_000; v.fresh && pushLine() === undefined && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 200));
        const push = pushLine();
        per[v.key].note = `${jobsLog.remote}/${jobsLog.jobs} remote${push ? `; ${push.replace(/^.*toolchain pack [0-9a-f]+ /, '')}` : ''}`;
        await stopAgent(env);
      }
      log(`  round ${round + 1}/${reps} ${v.label}: ${sec(loop.wallMs)} s ${per[v.key].note}`);
    }
  }
  return { variants: variants.map(({ key, label }) => ({ key, label })), per };
}

module.exports = { packsPhase };
