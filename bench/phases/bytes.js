'use strict';
// Phase 4: bytes on the wire for a C and a C++ project. The raw size is what sshcc's own analysis has
// preprocessed locally (its preprocessArgv, run here for every compile the build made); the compressed
// size and time are the protocol's own codec (@sshcc/protocol, zstd level and chunk size as sent); the
// wire is what the agent's ssh connections carried during a build through sshcc (kernel counters).
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { analyzeArgs } = require('@sshcc/core');
const { loadDataCodec, DATA_CHUNK_BYTES } = require('@sshcc/protocol');
const { PROJECTS } = require('../lib/projects');
const { upstreamTarball, extractTree } = require('../lib/debian-source');
const { runCommand } = require('../lib/run-command');
const { writeRecorder, readRecords } = require('../lib/record-compiles');
const { SSHCC, readJobLog } = require('../lib/sshcc');
const { warmAgent, requireRemote } = require('../lib/warm-agent');
const { wireCounters, wireDelta } = require('../lib/wire-bytes');
const { mb, msText } = require('../lib/format');

async function bytesPhase(ctx) {
  const { options, log } = ctx;
  const { volunteer, alias, config } = await ctx.mainVolunteer();
  const env = ctx.sshccEnv('bytes', `${alias}/${options.jobs}`, config);
  await ctx.coldAgent('bytes');
  const recorder = writeRecorder(ctx.dir('scratch'));
  const codec = await loadDataCodec('zstd');
  const rows = [];
  const data = {};
  for (const project of [PROJECTS.lua, PROJECTS.re2]) {
    const tree = extractTree(upstreamTarball(project.debianPackage, ctx.dir('sources'), log), path.join(ctx.work, 'trees', `bytes-${project.name}`));
    const prep = project.prepare(tree);
    if (prep) await runCommand(prep.cmd, prep.args, { cwd: prep.cwd, check: true });

    // 1. The build's compile commands, from a local build through the recorder.
    const recordFile = path.join(ctx.dir('scratch'), `record-${project.name}`);
    fs.rmSync(recordFile, { force: true });
    const local = project.build(`${recorder} ${project.compiler}`, options.jobs, tree);
    await runCommand(local.cmd, local.args, { cwd: tree, env: { ...process.env, SSHCC_BENCH_RECORD: recordFile }, check: true });
    const compiles = readRecords(recordFile)
      .map((r) => ({ ...r, analysis: analyzeArgs(r.argv, { cwd: r.cwd, env: process.env, readFile: (p) => fs.readFileSync(p, 'utf8') }) }))
      .filter((r) => r.analysis.mode === 'remote' && r.analysis.preprocessArgv !== null);

    // 2. Raw preprocessed bytes and the codec's work on them.
    let raw = 0;
    let packed = 0;
    let compressNs = 0n;
    for (const c of compiles) {
      const source = await capture(c.analysis.preprocessArgv, c.cwd);
      raw += source.length;
      for (let at = 0; at < source.length; at += DATA_CHUNK_BYTES) {
        const chunk = source.subarray(at, at + DATA_CHUNK_BYTES);
        const t0 = process.hrtime.bigint();
        packed += codec.encode(chunk).length;
        compressNs += process.hrtime.bigint() - t0;
      }
    }
    const compressMs = Number(compressNs) / 1e6;

    // 3. The same build through sshcc with a warm agent, its ssh connections' counters around it.
    const clean = project.clean();
    await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
    if (ctx.agentPid('bytes') === null) await warmAgent(ctx, env, options.jobs, 'bytes');
    const pid = ctx.agentPid('bytes');
    const jobLog = path.join(ctx.dir('scratch'), `bytes-${project.name}.log`);
    fs.rmSync(jobLog, { force: true });
    const before = wireCounters(pid, volunteer.port);
    const viaSshcc = project.build(`${SSHCC} ${project.compiler}`, options.jobs, tree);
    await runCommand(viaSshcc.cmd, viaSshcc.args, { cwd: tree, env: { ...env, SSHCC_LOG: jobLog }, check: true });
    const wire = wireDelta(before, wireCounters(pid, volunteer.port));
    const ran = readJobLog(jobLog);
    requireRemote(`bytes ${project.name}`, ran, compiles.length);

    rows.push([
      project.title,
      String(compiles.length),
      mb(raw),
      mb(packed),
      `${(raw / packed).toFixed(1)}×`,
      `${msText(compressMs)} (${(raw / 1e3 / compressMs).toFixed(0)} MB/s)`,
      mb(wire.sent),
      mb(wire.received),
      `${ran.remote}/${compiles.length}`,
    ]);
    data[project.name] = { title: project.title, compiles: compiles.length, rawBytes: raw, compressedBytes: packed, ratio: raw / packed, compressMs, wireSentBytes: wire.sent, wireReceivedBytes: wire.received, connections: wire.connections, remote: ran.remote };
    log(`  ${project.title}: ${mb(raw)} MB preprocessed → ${mb(packed)} MB zstd; wire ${mb(wire.sent)} MB out, ${mb(wire.received)} MB back`);
  }
  return {
    key: 'bytes',
    title: 'Bytes on the wire (MB), one build each through sshcc',
    headers: ['project', 'compiles', 'raw (preprocessed)', 'zstd', 'ratio', 'compress ms', 'wire sent', 'wire received', 'remote'],
    rows,
    notes: [
      'raw: output of sshcc\'s local preprocessing step (gcc -E -fdirectives-only, as the agent runs it); zstd and compress ms: @sshcc/protocol\'s codec on the same bytes in its 256 KiB chunks, in this process.',
      'wire: kernel byte counters of the agent\'s TCP connections to the volunteer during the build (SSH framing and encryption included; received = objects and results).',
    ],
    targets: [],
    data,
  };
}

/** stdout of argv run in cwd, as a Buffer (refusing a failed run). */
function capture(argv, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${argv.join(' ')} exited with ${code}`))));
  });
}

module.exports = { bytesPhase };
