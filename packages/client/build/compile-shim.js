'use strict';
// The C shim, compiled with the system's `cc` (-O2, no libraries beyond libc). A missing or failing
// compiler is not an error: the caller writes the sh launcher instead.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const SHIM_DIR = path.resolve(__dirname, '..', 'shim');

/** A C string literal for any bytes (octal escapes for everything outside plain printable ASCII). */
function cString(text) {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (byte >= 0x20 && byte < 0x7f && ch !== '?') out += ch;
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function configHeader({ nodePath, distDir, subcommands }) {
  return [
    '/* Written by packages/client/build/compile-shim.js. */',
    `#define SSHCC_NODE_PATH ${cString(nodePath)}`,
    `#define SSHCC_BUILD_DIR ${cString(distDir)}`,
    `#define SSHCC_SUBCOMMANDS ${subcommands.map(cString).join(', ')}`,
    '',
  ].join('\n');
}

/** Returns { ok: true } or { ok: false, why }. Replaces outFile atomically only on success. */
function compileShim({ outFile, nodePath, distDir, subcommands, cc = process.env.CC || 'cc' }) {
  const gen = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-shim-'));
  try {
    fs.writeFileSync(path.join(gen, 'sshcc-build-config.h'), configHeader({ nodePath, distDir, subcommands }));
    const sources = fs.readdirSync(SHIM_DIR).filter((name) => name.endsWith('.c')).map((name) => path.join(SHIM_DIR, name));
    const temp = `${outFile}.${process.pid}.tmp`;
    const run = spawnSync(cc, ['-O2', '-std=c11', '-Wall', '-I', gen, '-o', temp, ...sources], { encoding: 'utf8' });
    if (run.error) return { ok: false, why: `${cc}: ${run.error.code ?? run.error.message}` };
    if (run.status !== 0) {
      fs.rmSync(temp, { force: true });
      const first = (run.stderr || '').split('\n').find((line) => /error/.test(line)) ?? `exit code ${run.status}`;
      return { ok: false, why: `${cc}: ${first.trim()}` };
    }
    fs.chmodSync(temp, 0o755);
    fs.renameSync(temp, outFile);
    return { ok: true };
  } finally {
    fs.rmSync(gen, { recursive: true, force: true });
  }
}

module.exports = { compileShim, cString };
