'use strict';
// esbuild bundles of the client's TypeScript entry points. The thin client may use Node built-ins
// only (it starts before every compile: no yargs, no zod), which a plugin enforces.
const path = require('node:path');
const { builtinModules } = require('node:module');
const esbuild = require('esbuild');
const { lazyBuiltins } = require('./lazy-builtins');
// The server's build knows how zstd-codec loads its WASM; the client's bundles leave out the same branch.
const { dropAsmJsFallback } = require('../../server/build/bundle-server');

const PACKAGES = path.resolve(__dirname, '..', '..');
const CLIENT_SRC = path.resolve(__dirname, '..', 'src');
const CORE_SRC = path.join(PACKAGES, 'core', 'src');
const inCore = (file) => file.startsWith(`${CORE_SRC}${path.sep}`);

/** `@sshcc/<name>` → that package's TypeScript source, so a bundle never depends on its dist. */
const workspaceSources = {
  name: 'sshcc-workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^@sshcc\/[a-z]+$/ }, (args) => ({ path: path.join(PACKAGES, args.path.slice('@sshcc/'.length), 'src', 'index.ts') }));
  },
};

/**
 * @sshcc/core is pure logic (no I/O, nothing done at import but building constants), so a core module
 * whose exports a bundle does not use can be left out. esbuild cannot know that by itself and kept the
 * argv option tables, which the thin client never reads: ~18 KB and ~1 ms of every start.
 */
const pureCore = {
  name: 'sshcc-pure-core',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'sshcc-pure-core' || !inCore(args.importer)) return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'sshcc-pure-core' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { ...resolved, sideEffects: false };
    });
  },
};

const builtinsOnly = {
  name: 'sshcc-builtins-only',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (builtinModules.includes(name)) return { path: args.path, external: true };
      if (/^@sshcc\/[a-z]+$/.test(args.path)) return undefined;
      return { errors: [{ text: `the thin client and the shim builder may import Node built-ins only, not "${args.path}"` }] };
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
    // The native zstd binding picks its per-platform package at run time; @sshcc/protocol loads it
    // inside try/catch and falls back to zstd-codec where it is not found beside the bundle.
    build.onResolve({ filter: /^@toondepauw\/node-zstd$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** esbuild's plugins need its async API. `minify`: whitespace and syntax only, so stack traces keep names. */
async function bundle(entry, outfile, plugins, { minify = false } = {}) {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'silent',
    legalComments: 'none',
    minifyWhitespace: minify,
    minifySyntax: minify,
    plugins,
  });
}

/**
 * The agent and the CLI load zstd-codec, whose asm.js fallback (4.5 MB of the 6 MB it adds) no Node that
 * sshcc supports takes: it is left out as in the server bundle, and both are minified as that one is.
 */
async function bundleWithZstdCodec(entry, outfile) {
  const seen = { asmJs: false };
  await bundle(entry, outfile, [workspaceSources, nativeAddonsExternal, dropAsmJsFallback(seen)], { minify: true });
  if (!seen.asmJs) throw new Error(`${path.basename(entry)}: zstd-codec no longer requires './zstd-codec-binding.js': check how it loads its WASM`);
}

function bundleThinClient(outfile) {
  return bundle(path.join(CLIENT_SRC, 'thin', 'main.ts'), outfile, [lazyBuiltins, builtinsOnly, pureCore, workspaceSources]);
}

function bundleAgent(outfile) {
  return bundleWithZstdCodec(path.join(CLIENT_SRC, 'agent', 'main.ts'), outfile);
}

/** The CLI as one file, for the installed package (dist/cli/main.js, where cli/dist-dir.ts expects it). */
function bundleCli(outfile) {
  return bundleWithZstdCodec(path.join(CLIENT_SRC, 'cli', 'main.ts'), outfile);
}

/** The installed package's shim builder (build/first-use.js and the build scripts it uses): built-ins only. */
function bundleFirstUse(outfile) {
  return bundle(path.resolve(__dirname, 'first-use.js'), outfile, [builtinsOnly]);
}

module.exports = { bundleThinClient, bundleAgent, bundleCli, bundleFirstUse };
