'use strict';
// The TS thin client as a build meets it where the C shim did not build: the sh launcher that
// packages/client/build writes (it moves NODE_EXTRA_CA_CERTS aside and execs node on sshcc-thin.js).
// Written into the bench's own folder with the package's own writer, so the shim stays in place.
const path = require('node:path');
const { ROOT, CLIENT_DIST } = require('./sshcc');

async function writeTsClientLauncher(dir) {
  const build = path.join(ROOT, 'packages', 'client', 'build');
  const { writeLauncher } = require(path.join(build, 'write-launcher.js'));
  const { loadSubcommands } = require(path.join(build, 'load-subcommands.js'));
  const outFile = path.join(dir, 'sshcc');
  writeLauncher({ outFile, nodePath: process.execPath, distDir: CLIENT_DIST, subcommands: await loadSubcommands() });
  return outFile;
}

module.exports = { writeTsClientLauncher };
