'use strict';
// The installed package's first compile (bundled into dist/shim/first-use.js; package-launcher.js runs
// it): `node first-use.js <cached shim path>` compiles the C shim there with this machine's cc (unless it
// is there already), puts a copy over dist/sshcc where that folder is writable (then no sh runs per
// compile), and prints the path to run. Exit 1 when cc fails: the launcher then runs the TS thin client, as a checkout without cc does.
const fs = require('node:fs');
const path = require('node:path');
const { compileShim } = require('./compile-shim');
const { packageShimConfig } = require('./package-launcher');
const { writeExecutable } = require('./write-launcher');

/** dist/shim: this script, the shim's sources and build.json (the subcommand list). */
const SHIM_DIR = __dirname;
const DIST_DIR = path.dirname(SHIM_DIR);

function firstUse(cached) {
  if (!isExecutable(cached)) {
    const { subcommands } = JSON.parse(fs.readFileSync(path.join(SHIM_DIR, 'build.json'), 'utf8'));
    fs.mkdirSync(path.dirname(cached), { recursive: true, mode: 0o700 });
    const built = compileShim({ ...packageShimConfig(subcommands), outFile: cached, shimDir: SHIM_DIR });
    if (!built.ok) {
      process.stderr.write(`sshcc: the C shim did not build (${built.why}); compiling through the slower Node client\n`);
      return null;
    }
  }
  const installed = path.join(DIST_DIR, 'sshcc');
  try {
    writeExecutable(installed, fs.readFileSync(cached));
    return installed;
  } catch {
    return cached; // a package folder this user may not write: the launcher stays and runs the cached shim
  }
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const cached = process.argv[2];
if (!cached || !path.isAbsolute(cached)) {
  process.stderr.write('usage: node first-use.js <absolute path of the cached shim>\n');
  process.exit(100);
}
const shim = firstUse(cached);
if (shim === null) process.exit(1);
process.stdout.write(shim);
