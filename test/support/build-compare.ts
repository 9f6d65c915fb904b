// Compares a build through sshcc with a local build of the same sources in the same folder, as DESIGN.md
// says: objects byte for byte, or, with debug info, identical after `objcopy --strip-debug`, identical
// `readelf -wl`, and identical `readelf -wi` apart from the producer string (which records
// -fdirectives-only); dependency files byte for byte.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BuildComparison {
  /** Object and .d files compared (relative to the build dirs). */
  readonly compared: string[];
  /** Objects equal byte for byte. */
  readonly identical: string[];
  /** -g objects that differ only in DW_AT_producer (and the string offsets that follow from it). */
  readonly debugEquivalent: string[];
  /** `file: why`, empty when the builds match. */
  readonly differences: string[];
}

/** Every .o and .d in `refDir` (or those of the objects named in `only`, e.g. `main.o`) against the same name in `outDir`. */
export function compareBuilds(refDir: string, outDir: string, only?: readonly string[]): BuildComparison {
  const wanted = only?.flatMap((object) => [object, object.replace(/\.o$/, '.d')]);
  const names = readdirSync(refDir).filter((name) => (name.endsWith('.o') || name.endsWith('.d')) && (wanted === undefined || wanted.includes(name)));
  return compareFiles(refDir, outDir, names);
}

/** gcc's -MD output as make-, CMake-, Meson- and automake-driven builds name it. */
const DEPENDENCY_FILE = /\.(d|Po|Plo)$/;

/** Every object and dependency file at any depth under `refDir` against the same path under `outDir`. */
export function compareBuildTrees(refDir: string, outDir: string): BuildComparison {
  const names = readdirSync(refDir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.o') || DEPENDENCY_FILE.test(name));
  return compareFiles(refDir, outDir, names);
}

function compareFiles(refDir: string, outDir: string, names: readonly string[]): BuildComparison {
  const result: BuildComparison = { compared: [], identical: [], debugEquivalent: [], differences: [] };
  if (names.length === 0) result.differences.push(`${refDir}: no objects to compare`);
  for (const name of [...names].sort()) {
    result.compared.push(name);
    const ref = join(refDir, name);
    const out = join(outDir, name);
    if (!existsSync(out)) {
      result.differences.push(`${name}: missing`);
      continue;
    }
    if (readFileSync(ref).equals(readFileSync(out))) {
      if (name.endsWith('.o')) result.identical.push(name);
      continue;
    }
    if (!name.endsWith('.o')) {
      result.differences.push(`${name}: dependency files differ`);
      continue;
    }
    const why = debugDifference(ref, out);
    if (why === null) result.debugEquivalent.push(name);
    else result.differences.push(`${name}: ${why}`);
  }
  return result;
}

/** null when two -g objects match as DESIGN.md's "Measured facts" allow; else what differs. */
export function debugDifference(ref: string, out: string): string | null {
  if (!hasDebugInfo(ref)) return 'objects differ and have no debug info';
  const scratch = mkdtempSync(join(tmpdir(), 'sshcc-cmp-'));
  try {
    const [a, b] = [join(scratch, 'a.o'), join(scratch, 'b.o')];
    execFileSync('objcopy', ['--strip-debug', ref, a]);
    execFileSync('objcopy', ['--strip-debug', out, b]);
    if (!readFileSync(a).equals(readFileSync(b))) return 'objects differ after objcopy --strip-debug';
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (readelf('-wl', ref) !== readelf('-wl', out)) return 'readelf -wl (line tables) differ';
  const [infoRef, infoOut] = [debugInfoText(ref), debugInfoText(out)];
  if (infoRef !== infoOut) return `readelf -wi differs beyond the producer: ${firstDifferentLine(infoRef, infoOut)}`;
  return null;
}

function hasDebugInfo(file: string): boolean {
  return /\.debug_info\b/.test(execFileSync('readelf', ['-S', '-W', file], { encoding: 'utf8' }));
}

function readelf(option: string, file: string): string {
  return execFileSync('readelf', [option, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/**
 * `readelf -wi` without the producer line, and with .debug_str offsets dropped: a longer producer string
 * moves every string stored after it, which shows as a different offset but the same string. readelf
 * prints offset zero as `0`, not `0x0`, and some string is at 0 once the producer has moved.
 */
function debugInfoText(file: string): string {
  return readelf('-wi', file)
    .split('\n')
    .filter((line) => !/\bDW_AT_producer\b/.test(line))
    .map((line) => line.replace(/\((indirect (?:line )?string), offset: (?:0x[0-9a-f]+|0)\)/g, '($1)'))
    .join('\n');
}

function firstDifferentLine(a: string, b: string): string {
  const [la, lb] = [a.split('\n'), b.split('\n')];
  const i = la.findIndex((line, n) => line !== lb[n]);
  return `line ${i + 1}: ${JSON.stringify(la[i])} vs ${JSON.stringify(lb[i])}`;
}
