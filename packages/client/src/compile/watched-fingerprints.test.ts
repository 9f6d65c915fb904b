import { chmodSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PathWatches } from './path-watches';
import { deafWatch, turn, withWatchedTempDir } from './path-watches-test-fixture';
import { WatchedFingerprints } from './watched-fingerprints';

let dir: string;
let watches: PathWatches;

withWatchedTempDir('sshcc-watched-fingerprints-', (made) => ({ dir, watches } = made));

/** A driver that answers the fingerprint's questions as gcc would, in `version`. */
function fakeCompiler(name: string, version: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\ncase "$1" in\n  --version) echo "${version}";;\n  -dumpmachine) echo fake-linux-gnu;;\n  -print-prog-name=*) echo "\${1#-print-prog-name=}";;\nesac\n`);
  chmodSync(file, 0o755);
  return file;
}

/** `cc` as a link to a release, as update-alternatives and versioned installs make it. */
function pointCc(release: string): string {
  const cc = path.join(dir, 'cc');
  unlinkSync(cc);
  symlinkSync(release, cc);
  return cc;
}

describe('WatchedFingerprints', () => {
  beforeEach(() => {
    fakeCompiler('cc-1', '1.0');
    fakeCompiler('cc-2', '2.0');
    symlinkSync('cc-1', path.join(dir, 'cc'));
  });

  it('keeps a fingerprint, and takes a new one once the compiler link is retargeted', async () => {
    const fingerprints = new WatchedFingerprints(watches);
    const cc = path.join(dir, 'cc');
    const first = fingerprints.of(cc, {});
    expect(fingerprints.of(cc, {})).toBe(first);
    expect((await first).version).toBe('1.0');
    pointCc('cc-2');
    await turn();
    expect((await fingerprints.of(cc, {})).version).toBe('2.0');
  });

  it('sees no change without an event: the fingerprint is not looked at per job', async () => {
    const fingerprints = new WatchedFingerprints(new PathWatches({ watch: deafWatch }));
    const cc = path.join(dir, 'cc');
    expect((await fingerprints.of(cc, {})).version).toBe('1.0');
    pointCc('cc-2');
    await turn();
    expect((await fingerprints.of(cc, {})).version).toBe('1.0');
  });

  it('keeps no failure', async () => {
    const fingerprints = new WatchedFingerprints(new PathWatches({ watch: deafWatch }));
    const later = path.join(dir, 'cc-3');
    await expect(fingerprints.of(later, {})).rejects.toThrow(later);
    fakeCompiler('cc-3', '3.0');
    expect((await fingerprints.of(later, {})).version).toBe('3.0');
  });
});
