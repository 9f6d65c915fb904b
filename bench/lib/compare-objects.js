'use strict';
// Is an object built through a volunteer the one a local build makes? Byte-for-byte first. With -g the
// DWARF producer string differs (it records -fdirectives-only), so objects with debug info are compared
// as DESIGN.md says: identical after `objcopy --strip-debug`, identical `readelf -wl` (line tables), and
// identical `readelf -wi` (debug info) apart from DW_AT_producer.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

function tool(cmd, args) {
  const run = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${run.stderr.trim()}`);
  return run.stdout;
}

function strippedEqual(a, b) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-bench-cmp-'));
  try {
    tool('objcopy', ['--strip-debug', a, path.join(dir, 'a.o')]);
    tool('objcopy', ['--strip-debug', b, path.join(dir, 'b.o')]);
    return fs.readFileSync(path.join(dir, 'a.o')).equals(fs.readFileSync(path.join(dir, 'b.o')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** readelf output without the file name it starts with. */
function dwarf(file, what) {
  return tool('readelf', [what, file]).split('\n').slice(2).join('\n');
}

function withoutProducer(text) {
  return text.replace(/DW_AT_producer\s*:.*$/gm, 'DW_AT_producer: -');
}

/** 'identical' | 'equivalent (-g)' | a reason they differ. */
function compareObject(reference, candidate) {
  const a = fs.readFileSync(reference);
  const b = fs.readFileSync(candidate);
  if (a.equals(b)) return 'identical';
  if (!/\.debug_info/.test(tool('readelf', ['-S', '-W', reference]))) return 'differs';
  if (!strippedEqual(reference, candidate)) return 'differs after strip-debug';
  if (dwarf(reference, '-wl') !== dwarf(candidate, '-wl')) return 'line tables differ';
  if (withoutProducer(dwarf(reference, '-wi')) !== withoutProducer(dwarf(candidate, '-wi'))) return 'debug info differs';
  return 'equivalent (-g)';
}

/**
 * Compares every object of `refDir` with the same path under `dir`.
 * { compared, identical, equivalent, mismatches: [{ file, why }] }.
 */
function compareTrees(refDir, dir, files) {
  const summary = { compared: 0, identical: 0, equivalent: 0, mismatches: [] };
  for (const file of files) {
    const candidate = path.join(dir, file);
    summary.compared += 1;
    if (!fs.existsSync(candidate)) {
      summary.mismatches.push({ file, why: 'missing' });
      continue;
    }
    const verdict = compareObject(path.join(refDir, file), candidate);
    if (verdict === 'identical') summary.identical += 1;
    else if (verdict === 'equivalent (-g)') summary.equivalent += 1;
    else summary.mismatches.push({ file, why: verdict });
  }
  return summary;
}

/** Copies `files` (relative to `from`) into `to`, keeping their relative paths. */
function copyObjects(from, to, files) {
  fs.rmSync(to, { recursive: true, force: true });
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

module.exports = { compareTrees, compareObject, copyObjects };
