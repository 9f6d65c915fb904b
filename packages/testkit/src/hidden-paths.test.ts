import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  test("puts a file over another for the volunteer's sessions only", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshcc-replace-'));
    try {
      writeFileSync(join(dir, 'real'), 'the real one\n');
      writeFileSync(join(dir, 'other'), 'another build\n');
      const volunteer = await startVolunteer({ replace: [[join(dir, 'other'), join(dir, 'real')]] });
      client?.end();
      client = await connectClient(volunteer.connectOptions());
      expect(await execText(client, `cat ${join(dir, 'real')}`)).toMatchObject({ code: 0, stdout: 'another build\n' });
      expect(readFileSync(join(dir, 'real'), 'utf8')).toBe('the real one\n');
      await volunteer.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
}
