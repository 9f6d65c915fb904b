#!/usr/bin/env node
// preinstall: npm links a package's bin only when the target exists at install time, and dist/sshcc
// is a build product. This writes a stand-in (unless a build already made the real one) so that
// node_modules/.bin/sshcc exists; `npm run build` replaces it in place.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const target = path.resolve(__dirname, '..', 'dist', 'sshcc');
if (!fs.existsSync(target)) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, '#!/bin/sh\necho "sshcc: not built yet: run npm run build" >&2\nexit 125\n', { mode: 0o755 });
}
