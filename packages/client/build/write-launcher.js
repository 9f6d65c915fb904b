'use strict';
// Where the C shim did not build, `sshcc` is this sh script. It routes like the shim (the rule of
// src/thin/subcommands.ts) and starts the thin client with NODE_EXTRA_CA_CERTS moved aside, which
// halves Node's start-up on machines that set it. Paths are absolute: rebuild after moving the tree.
const fs = require('node:fs');
const path = require('node:path');

function shQuote(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function launcherScript({ nodePath, distDir, subcommands, self }) {
  return `#!/bin/sh
# sshcc launcher written by packages/client/build (the C shim did not build here).
node=${shQuote(nodePath)}
[ -n "$SSHCC_NODE" ] && node=$SSHCC_NODE
case "\${0##*/}" in
  sshcc*)
    if [ $# -eq 0 ]; then exec "$node" ${shQuote(path.join(distDir, 'cli', 'main.js'))}; fi
    case "$1" in
      -*|${subcommands.join('|')}) exec "$node" ${shQuote(path.join(distDir, 'cli', 'main.js'))} "$@" ;;
    esac ;;
  *) set -- "$0" "$@" ;;
esac
if [ -n "\${NODE_EXTRA_CA_CERTS+x}" ]; then
  SSHCC_HANDOVER_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export SSHCC_HANDOVER_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
SSHCC_HANDOVER_ARGV0=$0
SSHCC_HANDOVER_SELF=${shQuote(self)}
export SSHCC_HANDOVER_ARGV0 SSHCC_HANDOVER_SELF
exec "$node" ${shQuote(path.join(distDir, 'sshcc-thin.js'))} "$@"
`;
}

function writeLauncher({ outFile, nodePath, distDir, subcommands }) {
  const temp = `${outFile}.${process.pid}.tmp`;
  fs.writeFileSync(temp, launcherScript({ nodePath, distDir, subcommands, self: outFile }), { mode: 0o755 });
  fs.chmodSync(temp, 0o755);
  fs.renameSync(temp, outFile);
}

module.exports = { writeLauncher, launcherScript };
