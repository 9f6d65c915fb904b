// The Debian source packages of the real-project builds, as scripts/setup leaves them (root only: apt-get):
// /var/cache/sshcc-test-sources/<package>/ holds the .dsc and the tarballs it names, of whatever version
// the mirror had. The .dsc says the version and each tarball's sha256, checked here before use.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mustRun } from './split-compile';

export const SOURCES_DIR = '/var/cache/sshcc-test-sources';
/** The list scripts/setup fetches. */
const SOURCES_LIST = resolve(__dirname, '../debian-sources');

export interface DebianSource {
  readonly package: string;
  /** The Debian version, e.g. `1.6.39-2+deb12u5`. */
  readonly version: string;
  /** The upstream tarball (`*.orig.tar.*`), its sha256 checked against the .dsc. */
  readonly tarball: string;
}

/** The packages test/debian-sources names. */
export function listedSources(): string[] {
  return readFileSync(SOURCES_LIST, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** What is wrong with the fetched copy of `pkg` (one line that names the command that fixes it), or its files. */
export function findSource(pkg: string, sourcesDir: string = SOURCES_DIR): DebianSource | string {
  const dir = join(sourcesDir, pkg);
  const fix = `run \`${process.getuid?.() === 0 ? '' : 'sudo '}scripts/setup\` (it fetches them with apt-get source --download-only)`;
  const dsc = existsSync(dir) ? readdirSync(dir).find((name) => name.endsWith('.dsc')) : undefined;
  if (dsc === undefined) return `the Debian source of ${pkg} is not in ${dir}: ${fix}`;
  const text = readFileSync(join(dir, dsc), 'utf8');
  const source = /^Source: (\S+)$/m.exec(text)?.[1];
  const version = /^Version: (\S+)$/m.exec(text)?.[1];
  if (source !== pkg || version === undefined) return `${join(dir, dsc)} is not the .dsc of ${pkg}: ${fix}`;
  const sums = /^Checksums-Sha256:\n((?: .*\n)+)/m.exec(text)?.[1] ?? '';
  const orig = [...sums.matchAll(/^ ([0-9a-f]{64}) \d+ (\S+\.orig\.tar\.\w+)$/gm)][0];
  if (orig === undefined) return `${join(dir, dsc)} names no upstream tarball`;
  const [, sha256, name] = orig as unknown as [string, string, string];
  const tarball = join(dir, name);
  if (!existsSync(tarball)) return `${tarball} is missing: ${fix}`;
  if (createHash('sha256').update(readFileSync(tarball)).digest('hex') !== sha256) return `${tarball} does not match its .dsc's sha256: ${fix}`;
  return { package: pkg, version, tarball };
}

/** The tarball's tree at `dest` (its top folder stripped). */
export function extractSource(source: DebianSource, dest: string): string {
  mkdirSync(dest, { recursive: true });
  mustRun(['tar', 'xf', source.tarball, '-C', dest, '--strip-components=1'], dest);
  return dest;
}
