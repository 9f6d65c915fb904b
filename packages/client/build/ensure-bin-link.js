'use strict';
// node_modules/.bin/sshcc must lead to dist/sshcc. npm links a bin only if its target exists at
// install time (the preinstall placeholder sees to that), and a package-lock.json written before
// "bin" changed makes npm link the old target. Either way the build puts the link right; it only
// touches a link that is missing or leads into this package.
const fs = require('node:fs');
const path = require('node:path');

function ensureBinLink(packageDir, log) {
  const root = path.resolve(packageDir, '..', '..');
  const installed = path.join(root, 'node_modules', '@sshcc', 'client');
  const link = path.join(root, 'node_modules', '.bin', 'sshcc');
  const wanted = path.join('..', '@sshcc', 'client', 'dist', 'sshcc');
  const realPackage = fs.realpathSync(packageDir);
  try {
    if (fs.realpathSync(installed) !== realPackage) return;
  } catch {
    return; // not installed as a workspace here
  }
  let current;
  try {
    current = fs.readlinkSync(link);
  } catch (err) {
    if (err.code !== 'ENOENT') return; // a file of someone else's: leave it
  }
  if (current === wanted) return;
  if (current !== undefined && !leadsInto(path.resolve(path.dirname(link), current), realPackage)) return;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  const temp = `${link}.${process.pid}.tmp`;
  fs.rmSync(temp, { force: true });
  fs.symlinkSync(wanted, temp);
  fs.renameSync(temp, link);
  log(`sshcc build: ${path.relative(root, link)} → ${wanted}${current === undefined ? '' : ` (was ${current})`}`);
}

function leadsInto(target, dir) {
  try {
    const real = fs.realpathSync(target);
    return real === dir || real.startsWith(`${dir}${path.sep}`);
  } catch {
    return false;
  }
}

module.exports = { ensureBinLink };
