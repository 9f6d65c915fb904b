#!/usr/bin/env node
// `node bench/package-cost.js [--runs N] [--installs N]`: what the installed package costs against the
// checkout, in one run (issue 19). Never run by CI; run `npm run build` first (the checkout's sshcc).
//   the tarball's size (`npm run package` without the build: the bundles come from the sources);
//   `npm install -g --offline --ignore-scripts` of it into a fresh prefix, N times: median wall time;
//   per compile: one result-cache hit (direct mode: a warm agent, no preprocessor run) repeated one at a
//   time through the checkout's sshcc and through the installed one (each its own HOME and agent, one
//   loopback volunteer filled both caches), interleaved in rounds of alternating order; medians, the
//   installed/checkout ratio of them and the median of each round's ratio. SSHCC_LOG must show every
//   timed run answered from the cache.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { packageSshcc } = require('../scripts/package');
const { startLoopbackVolunteers, stopAllVolunteers } = require('./lib/volunteers');
const { stampedLoop } = require('./lib/wan-job-loop');
const { readJobLog } = require('./lib/sshcc');
const { requireCached } = require('./lib/warm-agent');
const { median, pairedRatios } = require('./lib/stats');
const { msText, ratio } = require('./lib/format');

const REPO = path.resolve(__dirname, '..');
const CHECKOUT_SSHCC = path.join(REPO, 'node_modules', '.bin', 'sshcc');
/** Short rounds of alternating order: on a shared machine, load moves between rounds, not within one. */
const ROUNDS = 20;

function options(argv) {
  const out = { runs: 300, installs: 5 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') out.runs = Number(argv[++i]);
    else if (argv[i] === '--installs') out.installs = Number(argv[++i]);
    else throw new Error(`package-cost: unknown option ${argv[i]}`);
  }
  return out;
}

function npmInstall(tarball, prefix, home) {
  const env = { PATH: process.env.PATH, HOME: home, npm_config_cache: path.join(home, '.npm'), NPM_CONFIG_UPDATE_NOTIFIER: 'false' };
  const t0 = process.hrtime.bigint();
  const run = spawnSync('npm', ['install', '-g', '--offline', '--ignore-scripts', '--prefix', prefix, tarball], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm install failed: ${run.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main() {
  const { runs, installs } = options(process.argv.slice(2));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-package-cost-'));
  const log = (line) => process.stderr.write(`package-cost: ${line}\n`);
  try {
    const tarball = await packageSshcc({ outDir: root, build: false });
    const size = fs.statSync(tarball).size;
    log(`${path.basename(tarball)}: ${(size / 1024).toFixed(0)} KiB`);
    const installMs = [];
    for (let i = 0; i < installs; i++) {
      const home = path.join(root, `install-home-${i}`);
      fs.mkdirSync(home);
      installMs.push(npmInstall(tarball, path.join(root, `prefix-${i}`), home));
    }
    log(`install: ${msText(median(installMs))} ms median of ${installs}`);

    const { config } = await startLoopbackVolunteers(1);
    const host = `${config.aliases[0]}/2`;
    const clients = [
      { key: 'checkout', sshcc: CHECKOUT_SSHCC },
      { key: 'installed', sshcc: path.join(root, 'prefix-0', 'bin', 'sshcc') },
    ].map((client) => {
      const home = path.join(root, `home-${client.key}`);
      fs.mkdirSync(home, { recursive: true });
      const env = { ...process.env, ...config.env, HOME: home, SSHCC_DIR: path.join(home, '.sshcc'), SSHCC_HOSTS: host };
      for (const name of ['SSHCC_CACHE', 'SSHCC_VERBOSE', 'SSHCC_LOG', 'XDG_CACHE_HOME', 'SSH_AUTH_SOCK']) delete env[name];
      return { ...client, env, samples: [], roundMedians: [] };
    });
    const dir = path.join(root, 'src');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'hit.c'), '#include <stdio.h>\nint hit(void) { return puts("hit"); }\n');
    const compile = (client) => `${client.sshcc} gcc -O2 -c hit.c -o hit.o`;
    const scriptDir = path.join(root, 'scratch');
    fs.mkdirSync(scriptDir);
    // Twice each: the first fills the cache (and builds the installed shim), the second makes the
    // direct-mode entry that the timed runs hit.
    for (const client of clients) await stampedLoop([compile(client), compile(client)], { cwd: dir, env: client.env, scriptDir });
    const perRound = Math.ceil(runs / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const client of round % 2 === 0 ? clients : [...clients].reverse()) {
        const jobLog = path.join(root, `${client.key}-${round}.log`);
        const loop = await stampedLoop(Array(perRound).fill(compile(client)), { cwd: dir, env: { ...client.env, SSHCC_LOG: jobLog }, scriptDir });
        requireCached(`${client.key} round ${round + 1}`, readJobLog(jobLog), perRound);
        client.samples.push(...loop.jobMs);
        client.roundMedians.push(median(loop.jobMs));
      }
    }
    for (const client of clients) spawnSync(client.sshcc, ['agent', 'stop'], { env: client.env });
    const [checkout, installed] = clients.map((client) => median(client.samples));
    const figures = {
      tarballBytes: size,
      installMsMedian: median(installMs),
      installMs,
      perCompileMsMedian: { checkout, installed },
      installedOverCheckout: installed / checkout,
      // Each round's installed median over the checkout's of the same round: load cancels out.
      installedOverCheckoutPerRound: pairedRatios(clients[1].roundMedians, clients[0].roundMedians).median,
      runsEach: clients[0].samples.length,
      installedShimIsElf: fs.readFileSync(path.join(root, 'prefix-0', 'lib', 'node_modules', 'sshcc', 'dist', 'sshcc')).subarray(0, 4).toString('latin1') === '\x7fELF',
    };
    process.stdout.write(
      [
        `tarball: ${(size / 1024).toFixed(0)} KiB`,
        `npm install -g --offline --ignore-scripts: ${msText(figures.installMsMedian)} ms (median of ${installs})`,
        `result-cache hit per compile, ${figures.runsEach} runs each: checkout ${msText(checkout)} ms, installed ${msText(installed)} ms (median), installed/checkout ${ratio(figures.installedOverCheckout)} (median of ${ROUNDS} rounds' ratios: ${ratio(figures.installedOverCheckoutPerRound)})`,
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    await stopAllVolunteers();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`package-cost: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
