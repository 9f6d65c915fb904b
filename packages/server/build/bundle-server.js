#!/usr/bin/env node
// sshcc-server as ONE JavaScript file: its code, @sshcc/core and /protocol, zod, and zstd-codec (whose
// WASM zstd-codec itself carries inlined as base64; the native zstd binding is left out, see below), so
// `sshcc install-server` can copy it to a volunteer that has nothing but `node`. One file to read also starts faster than resolving
// node_modules. Run after `tsc -b` (by scripts/build.js) or alone:
//   node packages/server/build/bundle-server.js [--out FILE]   (default packages/server/dist/bundle/sshcc-server.js)
// The install lays it out as <dir>/bin/sshcc-server.js, as in the package, so main.ts's
// `--print-sshd-config` (which names `../bin/sshcc-server.js` from its own folder) names the bundle.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { isBuiltin } = require('node:module');
const esbuild = require('esbuild');

const PACKAGE_DIR = path.resolve(__dirname, '..');
const PACKAGES = path.resolve(PACKAGE_DIR, '..');
const DEFAULT_OUT = path.join(PACKAGE_DIR, 'dist', 'bundle', 'sshcc-server.js');
const VERSION_MODULE = path.join(PACKAGE_DIR, 'src', 'version.ts');

function packageVersion() {
  return JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')).version;
}

/** `@sshcc/<name>` → that package's TypeScript source, so the bundle never depends on a stale dist. */
const workspaceSources = {
  name: 'sshcc-workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^@sshcc\/[a-z]+$/ }, (args) => ({ path: path.join(PACKAGES, args.path.slice('@sshcc/'.length), 'src', 'index.ts') }));
  },
};

/**
 * version.ts reads ../package.json beside itself at run time; the bundle has no package.json near it,
 * so the version is written in. The build fails if the module is no longer there to replace.
 */
function inlineVersion(seen, version) {
  return {
    name: 'sshcc-inline-version',
    setup(build) {
      build.onLoad({ filter: /[\\/]version\.ts$/ }, (args) => {
        if (path.resolve(args.path) !== VERSION_MODULE) return undefined;
        seen.version = true;
        return { contents: `export const SERVER_VERSION: string = ${JSON.stringify(version)};\n`, loader: 'ts' };
      });
    },
  };
}

/**
 * zstd-codec requires its asm.js build (1.3 MB) where WebAssembly is missing; every Node sshcc supports
 * has it, so that branch is left out and fails loudly if it is ever taken.
 */
function dropAsmJsFallback(seen) {
  return {
    name: 'sshcc-drop-zstd-asmjs',
    setup(build) {
      build.onResolve({ filter: /^\.\/zstd-codec-binding\.js$/ }, (args) => {
        if (!args.importer.includes(`${path.sep}zstd-codec${path.sep}`)) return undefined;
        seen.asmJs = true;
        return { path: 'zstd-asmjs-fallback', namespace: 'sshcc-stub' };
      });
      build.onLoad({ filter: /.*/, namespace: 'sshcc-stub' }, () => ({
        contents: "module.exports = () => { throw new Error('sshcc-server needs a Node with WebAssembly'); };\n",
        loader: 'js',
      }));
    },
  };
}

/**
 * The native zstd binding is a per-platform binary, which one JavaScript file cannot carry: the bundle
 * loads a stub that fails, so the server uses node:zlib's zstd where its Node has it, else zstd-codec.
 */
function dropNativeZstd(seen) {
  return {
    name: 'sshcc-drop-native-zstd',
    setup(build) {
      build.onResolve({ filter: /^@toondepauw\/node-zstd$/ }, () => {
        seen.nativeZstd = true;
        return { path: 'native-zstd', namespace: 'sshcc-stub-native' };
      });
      build.onLoad({ filter: /.*/, namespace: 'sshcc-stub-native' }, () => ({
        contents: "throw new Error('the native zstd binding is not in the server bundle');\n",
        loader: 'js',
      }));
    },
  };
}

/**
 * Builds the bundle into `outFile` (written under a temp name, then renamed). Returns its size in bytes.
 * `version`: what it reports (default the package's; the sshcc package stamps its own).
 */
async function bundleServer({ outFile = DEFAULT_OUT, version = packageVersion() } = {}) {
  const seen = { version: false, asmJs: false, nativeZstd: false };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const temp = `${outFile}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [path.join(PACKAGE_DIR, 'src', 'main.ts')],
    outfile: temp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Whitespace and syntax only: names stay, so a crash's stack trace still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'silent',
    metafile: true,
    plugins: [workspaceSources, inlineVersion(seen, version), dropAsmJsFallback(seen), dropNativeZstd(seen)],
  });
  if (!seen.version) throw new Error(`${VERSION_MODULE} was not bundled: the version could not be written in`);
  if (!seen.asmJs) throw new Error("zstd-codec no longer requires './zstd-codec-binding.js': check how it loads its WASM");
  if (!seen.nativeZstd) throw new Error('@sshcc/protocol no longer requires @toondepauw/node-zstd: drop its stub');
  const external = Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((entry) => entry.external && !isBuiltin(entry.path));
  if (external.length > 0) throw new Error(`the server bundle would load ${external.map((e) => e.path).join(', ')} at run time`);
  fs.chmodSync(temp, 0o755);
  fs.renameSync(temp, outFile);
  return fs.statSync(outFile).size;
}

module.exports = { bundleServer, dropAsmJsFallback, DEFAULT_OUT };

if (require.main === module) {
  const args = process.argv.slice(2);
  let outFile = DEFAULT_OUT;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1] !== undefined) outFile = path.resolve(args[++i]);
    else {
      process.stderr.write(`bundle-server: unknown option ${args[i]}\n`);
      process.exit(100);
    }
  }
  bundleServer({ outFile }).then(
    (size) => process.stdout.write(`sshcc build: ${path.relative(process.cwd(), outFile) || outFile} (${(size / 1024).toFixed(0)} KiB, the per-user server install)\n`),
    (err) => {
      process.stderr.write(`bundle-server: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
