import { defaultServerCommand, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import type { ClientSession, JobSpec } from '@sshcc/protocol';
import { SshPool } from './ssh-pool';
import { sshccHandshake } from './sshcc-handshake';
import { clearSshConfigCache } from './resolve-ssh-config';

// The real thing: sshcc-server (packages/server, built) behind real sshd, in both start modes. The job
// carries a made-up fingerprint, so the server answers compiler-mismatch without compiling: enough to see
// requests and results cross a pooled channel, twice.

const pools: SshPool<ClientSession>[] = [];
let subsystemVol: Volunteer;
let execVol: Volunteer;

beforeAll(async () => {
  [subsystemVol, execVol] = await Promise.all([startVolunteer(), startVolunteer({ subsystem: false })]);
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  clearSshConfigCache();
});
afterAll(() => stopAll());

function poolFor(v: Volunteer, serverCommand?: string): SshPool<ClientSession> {
  const pool = new SshPool({
    hosts: [{ spec: v.alias, host: v.alias, user: null, port: null, slots: 2 }],
    handshake: sshccHandshake((hostId) => ({ compression: hostId === v.alias ? 'zstd' : 'none', client: 'sshcc-pool-test' })),
    ...(serverCommand === undefined ? {} : { serverCommand }),
    connect: { env: { ...process.env, SSH_AUTH_SOCK: '', SSHCC_KNOWN_HOSTS: '', SSHCC_SSH_CONFIG: v.sshConfigFile } },
  });
  pools.push(pool);
  return pool;
}

const JOB: JobSpec = {
  compiler: 'gcc',
  fingerprint: { version: 'x', target: 'x', driver: '0'.repeat(64), cc1: null, cc1plus: null },
  args: ['-c', '-O2'],
  lang: 'c',
  input: 'a.c',
  output: 'a.o',
  extraOutputs: [],
  cwd: '/tmp',
  env: {},
  timeLimitSeconds: 60,
  sourceBytes: null,
};

describe('sshccHandshake through the pool', () => {
  it.each([
    ['the sshcc subsystem', 'subsystem' as const, () => poolFor(subsystemVol), () => subsystemVol],
    ['exec of the server command', 'exec' as const, () => poolFor(execVol, defaultServerCommand()), () => execVol],
  ])('speaks to sshcc-server via %s, and runs jobs one after another on one channel', async (_name, mode, makePool, vol) => {
    const pool = makePool();
    const worker = await pool.acquire(vol().alias);
    expect(worker.mode).toBe(mode);
    expect(worker.session.protocol).toBe(1);
    expect(worker.session.compression).toBe('zstd');
    expect(worker.session.hello.server).toMatch(/^sshcc-server\//);
    for (let i = 0; i < 2; i++) {
      const result = await worker.session.runJob(JOB, Buffer.from('int x;\n'));
      expect([result.kind, result.message]).toEqual(['compiler-mismatch', expect.any(String)]);
    }
    pool.release(worker);
    expect(await pool.acquire(vol().alias)).toBe(worker);
  });
});
