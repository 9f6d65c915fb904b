#!/usr/bin/env node
// `npm run build`: TypeScript project references, then the artifacts that are not plain tsc output.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-b']);
// The per-compile clients: the thin TS client bundled into one file, and the C shim (packages/client/build).
run(process.execPath, [path.join(root, 'packages/client/build/build-client.js')]);
// The self-contained server bundle that `sshcc install-server` uploads to volunteers.
run(process.execPath, [path.join(root, 'packages/server/build/bundle-server.js')]);
