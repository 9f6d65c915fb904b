import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatError } from '@sshcc/core';
import { clearSshConfigCache, resolveSshConfig } from './resolve-ssh-config';

// The same config read by the user's own ssh (`ssh -G`) and by the ssh-config package fallback must give
// sshcc the same answer.

let dir: string;
let configFile: string;
const home = os.homedir();
const local = { localUser: 'tester', localHostname: 'desk.lan', uid: 4321 };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sshcc-resolve-'));
  configFile = path.join(dir, 'ssh_config');
  writeFileSync(
    path.join(dir, 'included'),
    ['Host inc', '  HostName 10.9.9.9', '  Port 2300', ''].join('\n'),
  );
  writeFileSync(
    configFile,
    [
      `Include ${path.join(dir, 'included')}`,
      'Host vol1',
      '  HostName 127.0.0.1',
      '  Port 2222',
      '  User bob',
      '  IdentityFile ~/.ssh/k_%r_%p',
      `  IdentityFile ${dir}/second_%n`,
      '  IdentitiesOnly yes',
      '  ProxyJump jumper',
      '  ConnectTimeout 3',
      '  ServerAliveInterval 4',
      '  ServerAliveCountMax 2',
      `  UserKnownHostsFile ${dir}/kh_%h ${dir}/kh2`,
      `  GlobalKnownHostsFile ${dir}/global`,
      '  StrictHostKeyChecking yes',
      `  IdentityAgent ${dir}/agent.sock`,
      'Host *.lan',
      '  HostName %h.example',
      '  HostKeyAlias lan-key',
      'Host *',
      '  IdentityAgent none',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearSshConfigCache());

const VOL1 = () => ({
  host: 'vol1',
  hostname: '127.0.0.1',
  user: 'bob',
  port: 2222,
  identityFiles: [`${home}/.ssh/k_bob_2222`, `${dir}/second_vol1`],
  identitiesOnly: true,
  proxyJump: 'jumper',
  connectTimeout: 3,
  serverAliveInterval: 4,
  serverAliveCountMax: 2,
  userKnownHostsFiles: [`${dir}/kh_127.0.0.1`, `${dir}/kh2`],
  globalKnownHostsFiles: [`${dir}/global`],
  strictHostKeyChecking: 'yes',
  identityAgent: `${dir}/agent.sock`,
});

describe.each([
  ['ssh -G', 'ssh' as const],
  ['the ssh-config package', false as const],
])('resolveSshConfig through %s', (_name, sshBinary) => {
  it('reads a Host block, expanding tokens in paths', async () => {
    expect(await resolveSshConfig('vol1', { configFile, sshBinary, local })).toEqual(VOL1());
  });

  it('lets -l and -p (a host spec\'s user@host:port) override the config', async () => {
    const resolved = await resolveSshConfig('vol1', { configFile, sshBinary, local, user: 'al', port: 2200 });
    expect([resolved.user, resolved.port, resolved.identityFiles[0]]).toEqual(['al', 2200, `${home}/.ssh/k_al_2200`]);
  });

  it('fills in ssh defaults for a host the config does not name', async () => {
    const resolved = await resolveSshConfig('plain.example.org', { configFile, sshBinary, local });
    expect(resolved).toMatchObject({
      host: 'plain.example.org',
      hostname: 'plain.example.org',
      port: 22,
      identitiesOnly: false,
      strictHostKeyChecking: 'ask',
      identityAgent: 'none',
      serverAliveCountMax: 3,
    });
    expect(resolved.identityFiles).toEqual(expect.arrayContaining([`${home}/.ssh/id_ed25519`, `${home}/.ssh/id_rsa`, `${home}/.ssh/id_ecdsa`]));
    expect(resolved.userKnownHostsFiles[0]).toBe(`${home}/.ssh/known_hosts`);
    expect(resolved.serverAliveInterval).toBeUndefined();
    expect(resolved.connectTimeout).toBeUndefined();
    expect(resolved.proxyJump).toBeUndefined();
  });

  it('expands %h in HostName and keeps HostKeyAlias', async () => {
    const resolved = await resolveSshConfig('box.lan', { configFile, sshBinary, local });
    expect([resolved.hostname, resolved.hostKeyAlias]).toEqual(['box.lan.example', 'lan-key']);
  });

  it('takes the config file from SSHCC_SSH_CONFIG', async () => {
    const resolved = await resolveSshConfig('vol1', { sshBinary, local, env: { ...process.env, SSHCC_SSH_CONFIG: configFile } });
    expect(resolved).toEqual(VOL1());
  });

  it('refuses a name that is an option or shell text', async () => {
    await expect(resolveSshConfig('-oProxyCommand=id', { configFile, sshBinary })).rejects.toThrow('not a host name: "-oProxyCommand=id"');
    await expect(resolveSshConfig('a;b', { configFile, sshBinary })).rejects.toMatchObject({ code: 'config' });
  });
});

describe('resolveSshConfig', () => {
  it('follows Include through ssh itself', async () => {
    expect(await resolveSshConfig('inc', { configFile, local })).toMatchObject({ hostname: '10.9.9.9', port: 2300 });
  });

  it('falls back to the ssh-config package when the ssh binary does not exist', async () => {
    expect(await resolveSshConfig('vol1', { configFile, sshBinary: path.join(dir, 'no-such-ssh'), local })).toEqual(VOL1());
  });

  it('caches per destination and forgets on clearSshConfigCache', async () => {
    const first = await resolveSshConfig('vol1', { configFile, local });
    expect(await resolveSshConfig('vol1', { configFile, local })).toBe(first);
    expect(await resolveSshConfig('vol1', { configFile, local, port: 1 })).not.toBe(first);
    clearSshConfigCache();
    const again = await resolveSshConfig('vol1', { configFile, local });
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('reports ssh\'s own complaint about a broken config as a config error', async () => {
    const bad = path.join(dir, 'bad_config');
    writeFileSync(bad, 'Bogus yes\n');
    const error = await resolveSshConfig('vol1', { configFile: bad }).catch((e: unknown) => e);
    expect(formatError(error)).toBe(`sshcc: config: ssh config for vol1: ${bad}: line 1: Bad configuration option: bogus`);
  });
});
