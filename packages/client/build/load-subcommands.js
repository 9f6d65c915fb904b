'use strict';
// The subcommand list from src/thin/subcommands.ts (the one source), for the shim and the launcher.
const path = require('node:path');
const esbuild = require('esbuild');

async function loadSubcommands() {
  const result = await esbuild.build({
    entryPoints: [path.resolve(__dirname, '..', 'src', 'thin', 'subcommands.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  const module = { exports: {} };
  new Function('module', 'exports', result.outputFiles[0].text)(module, module.exports);
  const list = module.exports.SUBCOMMANDS;
  if (!Array.isArray(list) || !list.every((name) => /^[a-z][a-z0-9-]*$/.test(name))) {
    throw new Error('src/thin/subcommands.ts: SUBCOMMANDS must be plain lower-case words');
  }
  return list;
}

module.exports = { loadSubcommands };
