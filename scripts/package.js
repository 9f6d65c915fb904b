#!/usr/bin/env node
// `npm run package`: the build, then one self-contained tarball sshcc-<version>.tgz at the repo root.
// `npm install -g --offline --ignore-scripts --prefix ~/.local ./sshcc-<version>.tgz` gives `sshcc` and
// `sshcc-server` with nothing fetched and no install script: all JavaScript is bundled, the server is the
// one file `install-server` uploads, and the C shim ships as source, compiled on first use
// (packages/client/build/package-launcher.js). Layout inside the package:
//   dist/sshcc              the launcher (bin), then the C shim itself once first use has built it
//   dist/sshcc-thin.js      dist/cli/main.js  dist/agent/main.js   bundles, as in packages/client/dist
//   dist/shim/              the shim's C sources, build.json (subcommands) and first-use.js
//   bin/sshcc-server.js     the server bundle (bin), also what install-server sends to volunteers
// `node scripts/package.js [--out-dir DIR] [--version V] [--no-build]`: --version stamps another
// version (tests make an "upgrade" with it); --no-build reuses the checkout's build.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const clientBuild = path.join(root, 'packages', 'client', 'build');
const { bundleThinClient, bundleAgent, bundleCli, bundleFirstUse } = require(path.join(clientBuild, 'bundle'));
const { loadSubcommands } = require(path.join(clientBuild, 'load-subcommands'));
const { shimSources, SHIM_DIR } = require(path.join(clientBuild, 'compile-shim'));
const { packageLauncherScript, shimKey } = require(path.join(clientBuild, 'package-launcher'));
const { writeExecutable } = require(path.join(clientBuild, 'write-launcher'));
const { bundleServer } = require(path.join(root, 'packages', 'server', 'build', 'bundle-server'));

function parseArgs(argv) {
  const options = { outDir: root, version: undefined, build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out-dir') options.outDir = path.resolve(argv[++i] ?? '');
    else if (arg === '--version') options.version = argv[++i];
    else if (arg === '--no-build') options.build = false;
    else throw new Error(`package: unknown option ${arg}`);
  }
  return options;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The package's manifest: no dependencies, no scripts; Linux only (the agent and the shim are). */
function manifest(version) {
  const client = readJson(path.join(root, 'packages', 'client', 'package.json'));
  return {
    name: 'sshcc',
    version,
    description: readJson(path.join(root, 'package.json')).description,
    license: client.license,
    bin: { sshcc: 'dist/sshcc', 'sshcc-server': 'bin/sshcc-server.js' },
    engines: { node: '>=20' },
    os: ['linux'],
  };
}

async function stage(dir, version) {
  const dist = path.join(dir, 'dist');
  const shim = path.join(dist, 'shim');
  fs.mkdirSync(shim, { recursive: true });
  await bundleThinClient(path.join(dist, 'sshcc-thin.js'));
  await bundleAgent(path.join(dist, 'agent', 'main.js'));
  await bundleCli(path.join(dist, 'cli', 'main.js'));
  await bundleFirstUse(path.join(shim, 'first-use.js'));
  const subcommands = await loadSubcommands();
  for (const name of shimSources()) fs.copyFileSync(path.join(SHIM_DIR, name), path.join(shim, name));
  fs.writeFileSync(path.join(shim, 'build.json'), `${JSON.stringify({ subcommands })}\n`);
  writeExecutable(path.join(dist, 'sshcc'), packageLauncherScript({ key: shimKey(shim, subcommands, version), subcommands }));
  // A stamped version is the server's too: install-server and the handshake compare them.
  await bundleServer({ outFile: path.join(dir, 'bin', 'sshcc-server.js'), version });
  fs.copyFileSync(path.join(root, 'README.md'), path.join(dir, 'README.md'));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest(version), null, 2)}\n`);
}

/** Returns the tarball's path. */
async function packageSshcc({ outDir = root, version, build = true } = {}) {
  if (build) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const stamped = version ?? readJson(path.join(root, 'packages', 'client', 'package.json')).version;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-package-'));
  try {
    await stage(dir, stamped);
    fs.mkdirSync(outDir, { recursive: true });
    const packed = JSON.parse(execFileSync('npm', ['pack', dir, '--pack-destination', outDir, '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    return path.join(outDir, packed[0].filename);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { packageSshcc };

if (require.main === module) {
  packageSshcc(parseArgs(process.argv.slice(2))).then(
    (tarball) => process.stdout.write(`sshcc package: ${path.relative(process.cwd(), tarball) || tarball} (${(fs.statSync(tarball).size / 1024).toFixed(0)} KiB)\n`),
    (err) => {
      process.stderr.write(`sshcc package: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
