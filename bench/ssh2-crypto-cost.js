#!/usr/bin/env node
// `node bench/ssh2-crypto-cost.js [--mib N] [--rounds N]`: what ssh2 without its native crypto binding
// costs (issue 19 item 4). npm 11 runs no install script, so an install of sshcc has no
// ssh2/lib/protocol/crypto/build/Release/sshcrypto.node (nor cpu-features'), and ssh2 falls back to its
// JavaScript around node:crypto. One loopback volunteer; the same measuring client twice, in rounds of
// alternating order: run from this checkout (where the binding was built by hand: `npx node-gyp rebuild`
// in node_modules/ssh2/lib/protocol/crypto) and as an esbuild bundle in a temp folder, which is how the
// agent ships (the .node requires left in place, nothing there to load). Each run uploads N MiB through
// `cat > /dev/null` on one channel and downloads N MiB from `head -c`: MB/s and this client's CPU per MB
// (process.cpuUsage), medians; and the cipher ssh2 negotiated each way.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHUNK = 64 * 1024;

/** The measuring client: `node <this> --child <options.json>`; prints one JSON line. */
async function child(optionsFile) {
  const { Client } = require('ssh2');
  const options = JSON.parse(fs.readFileSync(optionsFile, 'utf8'));
  const bytes = options.mib * 1024 * 1024;
  const client = new Client();
  let cipher = null;
  client.on('handshake', (negotiated) => (cipher = negotiated.cs.cipher));
  await new Promise((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({ host: options.host, port: options.port, username: options.username, privateKey: fs.readFileSync(options.keyFile), hostVerifier: () => true });
  });
  const exec = (command) => new Promise((resolve, reject) => client.exec(command, (err, stream) => (err ? reject(err) : resolve(stream))));
  const measure = async (work) => {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await work();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    return { mbPerS: bytes / 1e6 / (wallMs / 1000), cpuMsPerMb: (cpu.user + cpu.system) / 1000 / (bytes / 1e6) };
  };
  const upload = await measure(async () => {
    const stream = await exec('cat > /dev/null');
    stream.resume(); // a channel closes only once its (empty) output has been read to the end
    const chunk = Buffer.alloc(CHUNK, 0x61);
    for (let sent = 0; sent < bytes; sent += CHUNK) if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
    stream.end();
    await new Promise((resolve) => stream.once('close', resolve));
  });
  const download = await measure(async () => {
    const stream = await exec(`head -c ${bytes} /dev/zero`);
    stream.resume();
    await new Promise((resolve) => stream.once('close', resolve));
  });
  client.end();
  process.stdout.write(`${JSON.stringify({ cipher, upload, download, binding: bindingLoaded() })}\n`);
}

function bindingLoaded() {
  return Object.keys(require.cache).some((file) => file.endsWith('sshcrypto.node'));
}

async function main() {
  const args = process.argv.slice(2);
  const mib = Number(args[args.indexOf('--mib') + 1]) || 64;
  const rounds = Number(args[args.indexOf('--rounds') + 1]) || 5;
  const esbuild = require('esbuild');
  const { startVolunteer, stopAll } = require('@sshcc/testkit');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-ssh2-crypto-'));
  try {
    const bundled = path.join(dir, 'client.js');
    await esbuild.build({
      entryPoints: [__filename],
      outfile: bundled,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
      external: ['esbuild', '@sshcc/testkit'],
      plugins: [{ name: 'native-external', setup: (build) => build.onResolve({ filter: /\.node$/ }, (a) => ({ path: a.path, external: true })) }],
    });
    const volunteer = await startVolunteer();
    const keyFile = path.join(dir, 'key');
    fs.writeFileSync(keyFile, volunteer.connectOptions().privateKey, { mode: 0o600 });
    const optionsFile = path.join(dir, 'options.json');
    fs.writeFileSync(optionsFile, JSON.stringify({ host: volunteer.host, port: volunteer.port, username: volunteer.user, keyFile, mib }));
    const kinds = [
      { key: 'native', script: __filename, runs: [] },
      { key: 'js', script: bundled, runs: [] },
    ];
    for (let round = 0; round < rounds; round++) {
      for (const kind of round % 2 === 0 ? kinds : [...kinds].reverse()) {
        const run = spawnSync(process.execPath, [kind.script, '--child', optionsFile], { encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`${kind.key}: ${run.stderr}`);
        kind.runs.push(JSON.parse(run.stdout));
      }
    }
    await stopAll();
    const med = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const summary = Object.fromEntries(
      kinds.map((kind) => [
        kind.key,
        {
          binding: kind.runs[0].binding,
          cipher: kind.runs[0].cipher,
          uploadMBps: med(kind.runs.map((r) => r.upload.mbPerS)),
          uploadCpuMsPerMB: med(kind.runs.map((r) => r.upload.cpuMsPerMb)),
          downloadMBps: med(kind.runs.map((r) => r.download.mbPerS)),
          downloadCpuMsPerMB: med(kind.runs.map((r) => r.download.cpuMsPerMb)),
        },
      ]),
    );
    const { native, js } = summary;
    process.stdout.write(
      [
        `${mib} MiB each way, ${rounds} rounds, medians; cipher ${native.cipher} (native) / ${js.cipher} (JS)`,
        `upload:   native ${native.uploadMBps.toFixed(0)} MB/s, ${native.uploadCpuMsPerMB.toFixed(2)} CPU ms/MB; JS ${js.uploadMBps.toFixed(0)} MB/s, ${js.uploadCpuMsPerMB.toFixed(2)} CPU ms/MB (CPU ×${(js.uploadCpuMsPerMB / native.uploadCpuMsPerMB).toFixed(2)})`,
        `download: native ${native.downloadMBps.toFixed(0)} MB/s, ${native.downloadCpuMsPerMB.toFixed(2)} CPU ms/MB; JS ${js.downloadMBps.toFixed(0)} MB/s, ${js.downloadCpuMsPerMB.toFixed(2)} CPU ms/MB (CPU ×${(js.downloadCpuMsPerMB / native.downloadCpuMsPerMB).toFixed(2)})`,
        JSON.stringify(summary),
        '',
      ].join('\n'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--child');
(at >= 0 ? child(process.argv[at + 1]) : main()).catch((err) => {
  process.stderr.write(`ssh2-crypto-cost: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
