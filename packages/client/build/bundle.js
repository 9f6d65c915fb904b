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
  return bundle(path.join(CLIENT_SRC, 'agent', 'main.ts'), outfile, [workspaceSources]);
}

module.exports = { bundleThinClient, bundleAgent };
