'use strict';
// `sshcc` as an installed package ships it (scripts/package.js): an sh script, since a package cannot
// carry one binary for every machine and npm runs no install script to build one. On first use it has
// shim/first-use.js compile the C shim with this machine's cc into $XDG_CACHE_HOME/sshcc/shim-<key>/
// (<key>: the sha256 of the version, the shim's sources and build config, written in by the package script);
// first-use.js then also copies the shim over this script where the package folder is writable, so from
// the next compile on no sh runs at all (a writable script still here means that is yet to be done: a
// reinstall whose shim is cached already). Where it is not, this script runs the cached shim, telling it
// the path it was run as (a masquerade link's name, the folder of dist/) in LAUNCH_ARGV0_VAR. No cc:
// the same routing as the checkout's launcher, to the TS thin client.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { configHeader, shimSources } = require('./compile-shim');
const { launcherRouting } = require('./write-launcher');

/** shim/sshcc-shim.h reads it (a test checks the two agree). */
const LAUNCH_ARGV0_VAR = 'SSHCC_LAUNCH_ARGV0';

/**
 * The installed shim's build config: no node path (the shim runs `node` from PATH, as npm's own bin
 * scripts do) and no dist folder (the shim finds it from where it was run): one shim serves every
 * install of the same sources, wherever it lives.
 */
function packageShimConfig(subcommands) {
  return { nodePath: '', distDir: '', subcommands };
}

/**
 * sha256 over the package's version, the shim's sources and its config header: the cache key of the
 * compiled shim. The version is in it so that the first compile after an upgrade runs first-use.js,
 * which copies the shim over the new launcher (a cached shim alone would leave the sh in every compile).
 */
function shimKey(shimDir, subcommands, version) {
  const hash = crypto.createHash('sha256');
  hash.update(`${version}\0`);
  for (const name of shimSources(shimDir)) {
    hash.update(`${name}\0`);
    hash.update(fs.readFileSync(path.join(shimDir, name)));
    hash.update('\0');
  }
  hash.update(configHeader(packageShimConfig(subcommands)));
  return hash.digest('hex').slice(0, 32);
}

function packageLauncherScript({ key, subcommands }) {
  return `#!/bin/sh
# sshcc, installed from its package (packages/client/build/package-launcher.js says how this works).
cache=\${XDG_CACHE_HOME:-$HOME/.cache}
case $cache in /*) ;; *) cache=$HOME/.cache ;; esac
shim=$cache/sshcc/shim-${key}/sshcc
node=\${SSHCC_NODE:-node}
self=
if [ ! -x "$shim" ] || [ -w "$0" ]; then
  self=$(readlink -f -- "$0")
  shim=$("$node" "\${self%/*}/shim/first-use.js" "$shim") || shim=
fi
if [ -n "$shim" ]; then
  ${LAUNCH_ARGV0_VAR}=$0
  export ${LAUNCH_ARGV0_VAR}
  exec "$shim" "$@"
fi
dist=\${self%/*}
${launcherRouting(subcommands)}`;
}

module.exports = { packageLauncherScript, packageShimConfig, shimKey, LAUNCH_ARGV0_VAR };
