// Runs the BUILT `sshcc cache …` as a user would (build first), on a store filled through the same API.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ResultStore } from '@sshcc/store';

const BIN = resolve(__dirname, '../../../bin/sshcc.js');
let cache: string;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'sshcc-cache-cli-'));
});
afterEach(() => rmSync(cache, { recursive: true, force: true }));

function sshcc(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, 'cache', ...args], { env: { ...process.env, XDG_CACHE_HOME: cache, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function fill(): Promise<ResultStore> {
  const store = new ResultStore({ dir: join(cache, 'sshcc', 'agent') });
  const key = (n: number) => String(n).repeat(64);
  for (const n of [1, 2]) await store.put(key(n), { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), outputs: [{ name: 'a.o', data: Buffer.alloc(1000, n) }] });
  await store.get(key(1));
  await store.get(key(3));
  return store;
}

describe('sshcc cache', () => {
  it('stats: hits, misses, stores, entries and size of the agent store', async () => {
    await fill();
    const run = sshcc(['stats']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      `Cache directory  ${join(cache, 'sshcc', 'agent')}`,
      'Hits             1 / 2 (50.0 %)',
      'Misses           1',
      'Stores           2',
      'Evictions        0',
      'Corrupt entries  0',
      'Entries          2',
      expect.stringMatching(/^Size             2\.\d kB of 5\.4 GB$/),
      '',
    ]);
    expect(JSON.parse(sshcc(['stats', '--json']).stdout)).toMatchObject({ hits: 1, misses: 1, stores: 2, entries: 2 });
  });

  it('size, then clear (entries and direct-mode manifests), then size', async () => {
    await fill();
    expect(JSON.parse(sshcc(['size', '--json']).stdout)).toMatchObject({ entries: 2, maxBytes: 5 * 1024 ** 3 });
    const manifests = join(cache, 'sshcc', 'agent', 'manifests', 'ab');
    mkdirSync(manifests, { recursive: true });
    writeFileSync(join(manifests, 'ab'.repeat(32)), '{}');
    expect(sshcc(['clear']).stdout).toMatch(/^Removed 2 entries \(2\.\d kB\) from .*\/sshcc\/agent\n$/);
    expect(existsSync(join(cache, 'sshcc', 'agent', 'manifests'))).toBe(false);
    expect(sshcc(['size'], { SSHCC_CACHE_SIZE: '1M' }).stdout).toBe('0 entries, 0 B of 1.0 MB\n');
  });

  it('says the cache is off with SSHCC_CACHE=0', () => {
    expect(sshcc(['stats'], { SSHCC_CACHE: '0' })).toEqual({ status: 0, stdout: 'The result cache is off (SSHCC_CACHE=0)\n', stderr: '' });
  });

  it('refuses an unknown action', () => {
    const run = sshcc(['purge']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Invalid values');
  });
});
