import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshccKind } from './sshcc-kind';

// The launcher's text comes from the writer the build uses, so the mark sshccKind looks for cannot drift.
const { launcherScript } = require('../../build/write-launcher') as { launcherScript: (config: object) => string };
const { packageLauncherScript } = require('../../build/package-launcher') as { packageLauncherScript: (config: object) => string };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-kind-'));
  writeFileSync(join(dir, 'launcher'), launcherScript({ nodePath: '/usr/bin/node', distDir: '/opt/sshcc/dist', subcommands: ['doctor'], self: '/opt/sshcc/dist/sshcc' }));
  writeFileSync(join(dir, 'package'), packageLauncherScript({ key: 'k'.repeat(32), subcommands: ['doctor'] }));
  writeFileSync(join(dir, 'wrapper'), '#!/bin/sh\nexec /opt/sshcc/dist/sshcc "$@"\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sshccKind', () => {
  it.each([
    ['an ELF executable is the C shim', process.execPath, 'shim'],
    ["the build's sh launcher", 'launcher', 'launcher'],
    ["an installed package's launcher", 'package', 'package'],
    ['any other script', 'wrapper', 'other'],
    ['nothing there', 'nowhere', 'missing'],
  ])('%s', (_what, file, kind) => {
    expect(sshccKind(file.startsWith('/') ? file : join(dir, file))).toBe(kind);
  });
});
