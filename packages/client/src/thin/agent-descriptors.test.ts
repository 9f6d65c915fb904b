import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The built shim (npm test builds first); when cc was missing at build time it is the TS launcher,
// whose Node marks inherited descriptors close-on-exec, so the property holds either way.
const sshcc = join(__dirname, '..', '..', 'dist', 'sshcc');

describe('an agent started by a client', () => {
  it('does not keep descriptors the build handed the client (a pipe someone waits on)', () => {
    const root = mkdtempSync(join(tmpdir(), 'sshcc-fds-'));
    const env = { ...process.env, SSHCC_DIR: join(root, 'agent'), SSHCC_HOSTS: '' };
    try {
      writeFileSync(join(root, 't.c'), 'int t;\n');
      const marker = join(root, 'held-by-the-build');
      // As `exec 7>file` in a build script, then a compile that starts the agent.
      execFileSync('/bin/bash', ['-c', `exec 7>"$1"; "$2" gcc -c t.c -o t.o`, 'bash', marker, sshcc], { cwd: root, env });
      const status = JSON.parse(execFileSync(sshcc, ['agent', 'status', '--json'], { env }).toString()) as { pid: number };
      const held = readdirSync(`/proc/${status.pid}/fd`).filter((fd) => {
        try {
          return readlinkSync(`/proc/${status.pid}/fd/${fd}`) === marker;
        } catch {
          return false;
        }
      });
      expect(held).toEqual([]);
    } finally {
      spawnSync(sshcc, ['agent', 'stop'], { env });
      rmSync(root, { recursive: true, force: true });
    }
  });
});
