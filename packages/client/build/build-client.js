#!/usr/bin/env node
// The client's build products that are not plain tsc output (run after `tsc -b`):
//   dist/sshcc-thin.js  the TS thin client, one esbuild bundle of Node built-ins only;
//   dist/sshcc          the C shim, built with the system `cc`; where that fails, an sh launcher
//                       that routes the same way and runs the thin client with NODE_EXTRA_CA_CERTS unset.
// `node packages/client/build/build-client.js [--out-dir DIR] [--no-shim] [--bundle-agent]`
// --out-dir: default packages/client/dist (tests build into a temp folder); --no-shim: write the
// launcher even where cc works; --bundle-agent: also bundle agent/main.js (dist has tsc's).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { bundleThinClient, bundleAgent } = require('./bundle');
const { compileShim } = require('./compile-shim');
const { writeLauncher } = require('./write-launcher');
const { loadSubcommands } = require('./load-subcommands');
const { ensureBinLink } = require('./ensure-bin-link');

const PACKAGE_DIR = path.resolve(__dirname, '..');
const DEFAULT_OUT = path.join(PACKAGE_DIR, 'dist');

function parseArgs(argv) {
  const options = { outDir: DEFAULT_OUT, shim: true, bundleAgent: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out-dir') options.outDir = path.resolve(argv[++i] ?? '');
    else if (arg === '--no-shim') options.shim = false;
    else if (arg === '--bundle-agent') options.bundleAgent = true;
    else throw new Error(`build-client: unknown option ${arg}`);
  }
  return options;
}

/** Builds everything into outDir; returns which kind of `sshcc` it wrote ('shim' | 'launcher'). */
async function buildClient({ outDir = DEFAULT_OUT, shim = true, bundleAgent: withAgent = false, log = () => undefined } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  await bundleThinClient(path.join(outDir, 'sshcc-thin.js'));
  if (withAgent) await bundleAgent(path.join(outDir, 'agent', 'main.js'));
  const subcommands = await loadSubcommands();
  const config = { nodePath: process.execPath, distDir: outDir, subcommands };
  const target = path.join(outDir, 'sshcc');
  let kind = 'launcher';
  if (shim) {
    const result = compileShim({ ...config, outFile: target });
    if (result.ok) kind = 'shim';
    if (result.ok && !result.strict) log(`sshcc build: the C shim built only without -Wextra -Wconversion -Werror (${result.why})`);
    if (!result.ok) log(`sshcc build: the C shim did not build (${result.why}); sshcc is the Node launcher (slower per compile)`);
  }
  if (kind === 'launcher') writeLauncher({ ...config, outFile: target });
  if (path.resolve(outDir) === DEFAULT_OUT) ensureBinLink(PACKAGE_DIR, log);
  return kind;
}

module.exports = { buildClient };

if (require.main === module) {
  const options = parseArgs(process.argv.slice(2));
  buildClient({ ...options, log: (line) => process.stderr.write(`${line}\n`) }).then(
    (kind) => process.stdout.write(`sshcc build: ${path.join(options.outDir, 'sshcc')} is the ${kind === 'shim' ? 'C shim' : 'Node launcher'}\n`),
    (err) => {
      process.stderr.write(`sshcc build: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
