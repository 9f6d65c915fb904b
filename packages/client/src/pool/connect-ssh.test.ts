import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatError } from '@sshcc/core';
import { execText, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { connectSsh, type SshConnection } from './connect-ssh';
import { clearSshConfigCache } from './resolve-ssh-config';
import { keyFingerprint } from './key-fingerprint';
import { planAuth } from './plan-auth';
import { resolveSshConfig } from './resolve-ssh-config';

// Real sshd volunteers on 127.0.0.1 (testkit): the connection is resolved, verified and authenticated
// exactly as the pool does it.

let vol: Volunteer;
let jumpVol: Volunteer;
let dir: string;
let agent: ChildProcess | undefined;
let agentSock: string;
const open: SshConnection[] = [];

/** No agent unless a test asks for one, so root's own keys and agent never decide a result. */
function envWith(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, SSH_AUTH_SOCK: '', SSHCC_KNOWN_HOSTS: '', ...extra };
}

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

function hostBlock(alias: string, v: Volunteer, extra: string[] = []): string[] {
  return [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${v.port}`, `  User ${v.user}`, '  GlobalKnownHostsFile /dev/null', ...extra];
}

async function connect(...args: Parameters<typeof connectSsh>): Promise<SshConnection> {
  const connection = await connectSsh(...args);
  open.push(connection);
  return connection;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return formatError(error);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sshcc-connect-'));
  [vol, jumpVol] = await Promise.all([startVolunteer({ subsystem: false }), startVolunteer({ subsystem: false })]);
});

afterEach(() => {
  for (const connection of open.splice(0)) connection.close();
  clearSshConfigCache();
});

afterAll(async () => {
  agent?.kill();
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('connectSsh', () => {
  it('connects by ssh_config alias (SSHCC_SSH_CONFIG) and runs a command', async () => {
    const connection = await connect({ host: vol.alias }, { env: envWith({ SSHCC_SSH_CONFIG: vol.sshConfigFile }) });
    expect(connection.destination).toBe(`${vol.user}@127.0.0.1:${vol.port}`);
    expect(connection.config.identityFiles).toEqual([vol.identityFile]);
    expect((await execText(connection.client, 'echo hi')).stdout).toBe('hi\n');
  });

  it('refuses a host missing from known_hosts, saying how to accept it', async () => {
    const empty = path.join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const line = await failure(
      connectSsh({ host: vol.alias }, { env: envWith({ SSHCC_SSH_CONFIG: vol.sshConfigFile, SSHCC_KNOWN_HOSTS: empty }) }),
    );
    expect(line).toBe(
      `sshcc: host key: no known_hosts entry for [127.0.0.1]:${vol.port} (run \`ssh -F ${vol.sshConfigFile} ${vol.alias}\` once to accept its key)`,
    );
  });

  it('refuses a changed host key with both fingerprints', async () => {
    const wrong = path.join(dir, 'wrong_known_hosts');
    // The other volunteer's host key, filed under this volunteer's name.
    writeFileSync(wrong, `[127.0.0.1]:${vol.port} ${jumpVol.hostPublicKey}\n`);
    const offered = keyFingerprint(Buffer.from(vol.hostPublicKey.split(' ')[1]!, 'base64'));
    const known = keyFingerprint(Buffer.from(jumpVol.hostPublicKey.split(' ')[1]!, 'base64'));
    const line = await failure(
      connectSsh({ host: vol.alias }, { env: envWith({ SSHCC_SSH_CONFIG: vol.sshConfigFile, SSHCC_KNOWN_HOSTS: wrong }) }),
    );
    expect(line).toBe(
      `sshcc: host key: host key for [127.0.0.1]:${vol.port} changed: refusing (it offers ssh-ed25519 ${offered}; ${wrong}:1 has ${known})`,
    );
  });

  it('accepts a key listed under a hashed name (ssh-keygen -H)', async () => {
    const hashed = path.join(dir, 'hashed_known_hosts');
    writeFileSync(hashed, `[127.0.0.1]:${vol.port} ${vol.hostPublicKey}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
    const connection = await connect({ host: vol.alias }, { env: envWith({ SSHCC_SSH_CONFIG: vol.sshConfigFile, SSHCC_KNOWN_HOSTS: hashed }) });
    expect((await execText(connection.client, 'echo ok')).stdout).toBe('ok\n');
  });

  it('reaches a host spec user@127.0.0.1:port without any ssh_config entry', async () => {
    const config = writeConfig('spec_config', ['Host *', `  IdentityFile ${vol.identityFile}`, '  IdentitiesOnly yes']);
    const connection = await connect(
      { host: '127.0.0.1', user: vol.user, port: vol.port },
      { env: envWith({ SSHCC_SSH_CONFIG: config, SSHCC_KNOWN_HOSTS: vol.knownHostsFile }) },
    );
    expect(connection.destination).toBe(`${vol.user}@127.0.0.1:${vol.port}`);
  });

  it('says which keys the server refused', async () => {
    const other = path.join(dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const config = writeConfig('other_key_config', [...hostBlock('vol', vol, [`  IdentityFile ${other}`, '  IdentitiesOnly yes'])]);
    const line = await failure(connectSsh({ host: 'vol' }, { env: envWith({ SSHCC_SSH_CONFIG: config, SSHCC_KNOWN_HOSTS: vol.knownHostsFile }) }));
    expect(line).toBe(`sshcc: auth: ${vol.user}@127.0.0.1:${vol.port} refused every key (tried ${other})`);
  });

  it('skips an encrypted key it cannot unlock, and says so', async () => {
    const encrypted = path.join(dir, 'encrypted_key');
    copyFileSync(vol.identityFile, encrypted);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'secret', '-f', encrypted]);
    const config = writeConfig('encrypted_config', [...hostBlock('vol', vol, [`  IdentityFile ${encrypted}`, '  IdentitiesOnly yes'])]);
    const notes: string[] = [];
    const line = await failure(
      connectSsh({ host: 'vol' }, { env: envWith({ SSHCC_SSH_CONFIG: config, SSHCC_KNOWN_HOSTS: vol.knownHostsFile }), onNote: (n) => notes.push(n) }),
    );
    const note = `skipping key ${encrypted}: it is encrypted and sshcc cannot ask for its passphrase; add it to ssh-agent`;
    expect(line).toBe(`sshcc: auth: no key to log in to ${vol.user}@127.0.0.1:${vol.port} with (${note})`);
    expect(notes).toEqual([`vol: ${note}`]);
  });

  it('logs in through ssh-agent first, and with IdentitiesOnly offers only the agent keys matching an IdentityFile', async () => {
    agentSock = path.join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 20));
    const extra = path.join(dir, 'extra_agent_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', extra]);
    execFileSync('ssh-add', ['-q', extra, vol.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'ignore' });

    // The encrypted copy's public half matches the agent's key: ssh would use the agent for it.
    const encrypted = path.join(dir, 'encrypted_in_agent');
    copyFileSync(vol.identityFile, encrypted);
    copyFileSync(`${vol.identityFile}.pub`, `${encrypted}.pub`);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'secret', '-f', encrypted]);
    const config = writeConfig('agent_config', [...hostBlock('vol', vol, [`  IdentityFile ${encrypted}`, '  IdentitiesOnly yes'])]);
    const env = envWith({ SSHCC_SSH_CONFIG: config, SSHCC_KNOWN_HOSTS: vol.knownHostsFile, SSH_AUTH_SOCK: agentSock });

    const plan = await planAuth(await resolveSshConfig('vol', { env }), env);
    expect(plan.offered).toEqual(['ssh-agent (1 key)']);
    expect(plan.notes).toEqual([]);
    const connection = await connect({ host: 'vol' }, { env });
    expect((await execText(connection.client, 'echo agent')).stdout).toBe('agent\n');

    // Without the .pub, the public half is read from the encrypted file itself.
    rmSync(`${encrypted}.pub`);
    clearSshConfigCache();
    expect((await planAuth(await resolveSshConfig('vol', { env }), env)).offered).toEqual(['ssh-agent (1 key)']);

    // Without IdentitiesOnly every agent key is offered, then the files the agent does not hold.
    const loose = writeConfig('agent_loose_config', [...hostBlock('vol', vol, [`  IdentityFile ${path.join(dir, 'other_key')}`])]);
    const looseEnv = { ...env, SSHCC_SSH_CONFIG: loose };
    expect((await planAuth(await resolveSshConfig('vol', { env: looseEnv }), looseEnv)).offered).toEqual([
      'ssh-agent (2 keys)',
      path.join(dir, 'other_key'),
    ]);
  });

  it('refuses ProxyCommand clearly', async () => {
    const config = writeConfig('proxycommand_config', [...hostBlock('vol', vol, ['  ProxyCommand nc %h %p', `  IdentityFile ${vol.identityFile}`])]);
    const line = await failure(connectSsh({ host: 'vol' }, { env: envWith({ SSHCC_SSH_CONFIG: config }) }));
    expect(line).toBe('sshcc: config: vol: ProxyCommand is not supported (sshcc makes its own connections; use ProxyJump)');
  });

  it('gives up on a host that accepts TCP but never answers (ConnectTimeout)', async () => {
    vol.pause();
    try {
      const started = Date.now();
      const line = await failure(connectSsh({ host: vol.alias }, { env: envWith({ SSHCC_SSH_CONFIG: vol.sshConfigFile }), connectTimeoutMs: 500 }));
      expect(line).toBe(`sshcc: connect: timed out connecting to ${vol.user}@127.0.0.1:${vol.port}`);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      vol.resume();
    }
  });

  it('takes ConnectTimeout from ssh_config', async () => {
    const config = writeConfig('timeout_config', [...hostBlock('slow', vol, ['  ConnectTimeout 1', `  IdentityFile ${vol.identityFile}`])]);
    vol.pause();
    try {
      const started = Date.now();
      const line = await failure(connectSsh({ host: 'slow' }, { env: envWith({ SSHCC_SSH_CONFIG: config, SSHCC_KNOWN_HOSTS: vol.knownHostsFile }) }));
      expect(line).toBe(`sshcc: connect: timed out connecting to ${vol.user}@127.0.0.1:${vol.port}`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      vol.resume();
    }
  });

  it('connects through a ProxyJump host, and dies with it', async () => {
    const config = writeConfig('jump_config', [
      ...hostBlock('jumper', jumpVol, [`  IdentityFile ${jumpVol.identityFile}`, `  UserKnownHostsFile ${jumpVol.knownHostsFile}`]),
      // The target is named by an address only the jump host can be expected to reach, as in real life.
      ...hostBlock('behind', vol, [`  IdentityFile ${vol.identityFile}`, `  UserKnownHostsFile ${vol.knownHostsFile}`, '  ProxyJump jumper']),
    ]);
    const before = jumpVol.processes().length;
    const connection = await connect({ host: 'behind' }, { env: envWith({ SSHCC_SSH_CONFIG: config }) });
    expect((await execText(connection.client, 'echo behind')).stdout).toBe('behind\n');
    // The jump volunteer now carries a session for the forwarded connection.
    expect(jumpVol.processes().length).toBeGreaterThan(before);

    await jumpVol.kill();
    const reason = await connection.ended;
    expect(reason?.code).toBe('connect');
  });

  it('reports a refused TCP connection as a connect error', async () => {
    const config = writeConfig('refused_config', [...hostBlock('gone', vol, [`  IdentityFile ${vol.identityFile}`]).map((l) => l.replace(`Port ${vol.port}`, 'Port 1'))]);
    const line = await failure(connectSsh({ host: 'gone' }, { env: envWith({ SSHCC_SSH_CONFIG: config, SSHCC_KNOWN_HOSTS: vol.knownHostsFile }) }));
    expect(line).toBe(`sshcc: connect: cannot connect to ${vol.user}@127.0.0.1:1: connection refused`);
  });
});
