import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_BIN, cleanUp, testRoot } from './test-server';

afterEach(cleanUp);

function run(args: string[], root = testRoot()) {
  const result = spawnSync(process.execPath, [SERVER_BIN, ...args], {
    env: { ...process.env, XDG_CONFIG_HOME: join(root, 'config'), TMPDIR: join(root, 'tmp') },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('sshcc-server command line', () => {
  it('--version', () => {
    expect(run(['--version'])).toEqual({ status: 0, stdout: 'sshcc-server 0.1.0\n', stderr: '' });
  });

  it('--print-sshd-config names this node and this bin', () => {
    expect(run(['--print-sshd-config'])).toEqual({
      status: 0,
      stdout: `Subsystem sshcc ${process.execPath} ${SERVER_BIN}\n`,
      stderr: '',
    });
  });

  it('--check lists the allowed compilers with their fingerprints', () => {
    const { status, stdout } = run(['--check']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^gcc: \/\S+\/gcc: \(.+\) [\d.]+; x86_64-linux-gnu; driver [0-9a-f]{12}, cc1 [0-9a-f]{12}, cc1plus [0-9a-f]{12}$/m);
    expect(stdout).toContain('(absent: defaults)');
    expect(stdout).not.toMatch(/^gcc-ar/m);
  });

  it('--check follows the config', () => {
    const root = testRoot();
    writeFileSync(join(root, 'config', 'sshcc', 'server.json'), '{"compilers": ["g++"], "maxJobSeconds": 60}');
    const { stdout } = run(['--check'], root);
    expect(stdout).toContain('compilers allowed: config: g++');
    expect(stdout).toContain('longest compile: 60 s');
    expect(stdout.split('\n').filter((line) => /^[^\s:]+: \/\S+: /.test(line)).map((line) => line.split(':')[0])).toEqual(['g++']);
  });

  it('refuses an unknown option with the usage', () => {
    const { status, stderr } = run(['--serve-forever']);
    expect(status).toBe(100);
    expect(stderr).toMatch(/^sshcc-server: Unknown option '--serve-forever'/);
  });
});
