'use strict';
// The C shim, compiled with the system's `cc` (-O2, no libraries beyond libc). A missing or failing
// compiler is not an error: the caller writes the sh launcher instead.
//
// The shim is written to compile without a warning under STRICT_FLAGS (gcc and clang; a test holds it
// to that), and is built with them. A cc that rejects them (one not gcc/clang-compatible) or a newer
// compiler that warns where ours do not gets the build's old flags instead, as before they were added:
// a warning must never cost a user the shim for the slower launcher. The build says when that happens.
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

/** Every warning these enable is an error: the shim's C is kept free of them. */
const STRICT_FLAGS = ['-Wall', '-Wextra', '-Wconversion', '-Werror'];
/** The flags of the build before STRICT_FLAGS: for a cc that fails with those. */
const FALLBACK_FLAGS = ['-Wall'];

/**
 * Returns { ok: true, strict: true }, { ok: true, strict: false, why } (built only with FALLBACK_FLAGS;
 * why: the strict build's first error) or { ok: false, why }. Replaces outFile atomically only on success.
 */
function compileShim({ outFile, nodePath, distDir, subcommands, shimDir = SHIM_DIR, cc = process.env.CC || 'cc' }) {
  const gen = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-shim-'));
  try {
    fs.writeFileSync(path.join(gen, 'sshcc-build-config.h'), configHeader({ nodePath, distDir, subcommands }));
    const sources = shimSources(shimDir).filter((name) => name.endsWith('.c')).map((name) => path.join(shimDir, name));
    const temp = `${outFile}.${process.pid}.tmp`;
    const build = (flags) => runCc(cc, ['-O2', '-std=c11', ...flags, '-I', gen, '-o', temp, ...sources], temp);
    const strict = build(STRICT_FLAGS);
    if (!strict.ok) {
      if (strict.missing) return { ok: false, why: strict.why };
      const fallback = build(FALLBACK_FLAGS);
      if (!fallback.ok) return { ok: false, why: fallback.why };
    }
    fs.chmodSync(temp, 0o755);
    fs.renameSync(temp, outFile);
    return strict.ok ? { ok: true, strict: true } : { ok: true, strict: false, why: strict.why };
  } finally {
    fs.rmSync(gen, { recursive: true, force: true });
  }
}

/** The shim's C sources and header, by name (the folder also holds its tests). */
function shimSources(shimDir = SHIM_DIR) {
  return fs.readdirSync(shimDir).filter((name) => /\.[ch]$/.test(name)).sort();
}

/** One cc run: { ok: true }, or { ok: false, why, missing } (missing: cc could not be run at all). */
function runCc(cc, args, temp) {
  const run = spawnSync(cc, args, { encoding: 'utf8' });
  if (run.error) return { ok: false, missing: true, why: `${cc}: ${run.error.code ?? run.error.message}` };
  if (run.status === 0) return { ok: true };
  fs.rmSync(temp, { force: true });
  const first = (run.stderr || '').split('\n').find((line) => /error/.test(line)) ?? `exit code ${run.status}`;
  return { ok: false, missing: false, why: `${cc}: ${first.trim()}` };
}

module.exports = { compileShim, configHeader, shimSources, cString, STRICT_FLAGS, SHIM_DIR };
