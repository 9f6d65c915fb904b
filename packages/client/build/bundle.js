'use strict';
// esbuild bundles of the client's TypeScript entry points. The thin client may use Node built-ins
// only (it starts before every compile: no yargs, no zod), which a plugin enforces.
const path = require('node:path');
const { builtinModules } = require('node:module');
const esbuild = require('esbuild');

const PACKAGES = path.resolve(__dirname, '..', '..');
const CLIENT_SRC = path.resolve(__dirname, '..', 'src');

/** `@sshcc/<name>` → that package's TypeScript source, so a bundle never depends on its dist. */
const workspaceSources = {
  name: 'sshcc-workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^@sshcc\/[a-z]+$/ }, (args) => ({ path: path.join(PACKAGES, args.path.slice('@sshcc/'.length), 'src', 'index.ts') }));
  },
};

const builtinsOnly = {
  name: 'sshcc-builtins-only',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (builtinModules.includes(name)) return { path: args.path, external: true };
      if (/^@sshcc\/[a-z]+$/.test(args.path)) return undefined;
      return { errors: [{ text: `the thin client may import Node built-ins only, not "${args.path}"` }] };
    });
  },
};

/**
 * ssh2 and cpu-features load optional native addons inside try/catch and fall back to JavaScript.
 * Whether the addon exists depends on whether npm ran their install scripts; a bundle leaves the
 * require in place either way, so it behaves the same on every machine.
 */
const nativeAddonsExternal = {
  name: 'sshcc-native-addons-external',
  setup(build) {
    build.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** esbuild's plugins need its async API. */
async function bundle(entry, outfile, plugins) {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'silent',
    legalComments: 'none',
    plugins,
  });
}

function bundleThinClient(outfile) {
  return bundle(path.join(CLIENT_SRC, 'thin', 'main.ts'), outfile, [builtinsOnly, workspaceSources]);
}

function bundleAgent(outfile) {
  return bundle(path.join(CLIENT_SRC, 'agent', 'main.ts'), outfile, [workspaceSources, nativeAddonsExternal]);
}

module.exports = { bundleThinClient, bundleAgent };
