import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client } from 'ssh2';
import { hidingUnavailable } from './hidden-paths';
import { stopAll } from './registry';
import { connectClient, execText } from './ssh2-client';
import { startVolunteer } from './start-volunteer';

const reason = hidingUnavailable();
const NODE_DIR = dirname(process.execPath);

if (reason !== undefined) {
  test('no volunteer with hidden paths can run here, and startVolunteer says why', async () => {
    console.log(`hidden-path volunteer tests not run: ${reason}`);
    expect(reason).toMatch(/not root|unshare --mount/);
    await expect(startVolunteer({ hide: [process.execPath] })).rejects.toThrow(`testkit: no volunteer with hidden paths here: ${reason}`);
  });
} else {
  let client: Client | undefined;
  afterAll(async () => {
    client?.end();
    await stopAll();
  });

  test("hides a file and a folder from the volunteer's sessions, across a restart, and from no one else", async () => {
    const volunteer = await startVolunteer({ hide: [process.execPath, '/usr/lib/gcc'], env: { PATH: `${NODE_DIR}:/usr/bin:/bin` } });
    const look = 'node --version 2>/dev/null || echo "no node"; ls /usr/lib/gcc | wc -l; test -x /bin/sh && echo sh';
    client = await connectClient(volunteer.connectOptions());
    expect(await execText(client, look)).toMatchObject({ code: 0, stdout: 'no node\n0\nsh\n' });
    client.end();
    await volunteer.restart();
    client = await connectClient(volunteer.connectOptions());
    expect(await execText(client, look)).toMatchObject({ code: 0, stdout: 'no node\n0\nsh\n' });
    expect(existsSync(process.execPath)).toBe(true);
    expect(execFileSync('sh', ['-c', 'ls /usr/lib/gcc | wc -l'], { encoding: 'utf8' }).trim()).not.toBe('0');
  }, 30_000);

  test('replaces a file and a folder with others for the volunteer\'s sessions only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshcc-replace-'));
    try {
      for (const name of ['a', 'b']) {
        writeFileSync(join(dir, `${name}.sh`), `#!/bin/sh\necho ${name}\n`, { mode: 0o755 });
        execFileSync('mkdir', ['-p', join(dir, `${name}-dir`, `only-in-${name}`)]);
      }
      const volunteer = await startVolunteer({ replace: [[join(dir, 'b.sh'), join(dir, 'a.sh')], [join(dir, 'b-dir'), join(dir, 'a-dir')]] });
      client = await connectClient(volunteer.connectOptions());
      expect(await execText(client, `${join(dir, 'a.sh')}; ls ${join(dir, 'a-dir')}`)).toMatchObject({ code: 0, stdout: 'b\nonly-in-b\n' });
      expect(execFileSync(join(dir, 'a.sh'), { encoding: 'utf8' })).toBe('a\n');
    } finally {
      client?.end();
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
}
