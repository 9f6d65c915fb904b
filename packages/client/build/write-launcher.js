'use strict';
// Where the C shim did not build, `sshcc` is this sh script. It routes like the shim (the rule of
// src/thin/subcommands.ts) and starts the thin client with NODE_EXTRA_CA_CERTS moved aside, which
// halves Node's start-up on machines that set it. Paths are absolute: rebuild after moving the tree.
// An installed package's launcher (package-launcher.js) ends with the same routing, with its paths
// found at run time.
const fs = require('node:fs');

function shQuote(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The routing, in sh: expects $node, $dist (the folder of cli/ and sshcc-thin.js) and $self to be set. */
function launcherRouting(subcommands) {
  return `case "\${0##*/}" in
  sshcc*)
    if [ $# -eq 0 ]; then exec "$node" "$dist/cli/main.js"; fi
    case "$1" in
      -*|${subcommands.join('|')}) exec "$node" "$dist/cli/main.js" "$@" ;;
    esac ;;
  *) set -- "$0" "$@" ;;
esac
if [ -n "\${NODE_EXTRA_CA_CERTS+x}" ]; then
  SSHCC_HANDOVER_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export SSHCC_HANDOVER_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
SSHCC_HANDOVER_ARGV0=$0
SSHCC_HANDOVER_SELF=$self
export SSHCC_HANDOVER_ARGV0 SSHCC_HANDOVER_SELF
exec "$node" "$dist/sshcc-thin.js" "$@"
`;
}

function launcherScript({ nodePath, distDir, subcommands, self }) {
  return `#!/bin/sh
# sshcc launcher written by packages/client/build (the C shim did not build here).
node=${shQuote(nodePath)}
[ -n "$SSHCC_NODE" ] && node=$SSHCC_NODE
dist=${shQuote(distDir)}
self=${shQuote(self)}
${launcherRouting(subcommands)}`;
}

function writeLauncher({ outFile, nodePath, distDir, subcommands }) {
  writeExecutable(outFile, launcherScript({ nodePath, distDir, subcommands, self: outFile }));
}

/** Written under a temp name, then renamed: a build running the old file keeps reading that one. */
function writeExecutable(outFile, text) {
  const temp = `${outFile}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o755 });
  fs.chmodSync(temp, 0o755);
  fs.renameSync(temp, outFile);
}

module.exports = { writeLauncher, launcherScript, launcherRouting, writeExecutable, shQuote };
