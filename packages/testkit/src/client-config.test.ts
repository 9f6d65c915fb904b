import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { makeClientConfig, startVolunteers, stopAll, type Volunteer } from '@sshcc/testkit';

function ssh(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('ssh', args, { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
  );
}

describe('makeClientConfig', () => {
  let volunteers: Volunteer[];

  beforeAll(async () => {
    volunteers = await startVolunteers(2, { subsystem: false });
  });
  afterAll(() => stopAll());

  it('writes one ssh_config and known_hosts that reach every volunteer by alias', async () => {
    const config = await makeClientConfig(volunteers);
    expect(config.env).toEqual({ SSHCC_SSH_CONFIG: config.sshConfigFile, SSHCC_KNOWN_HOSTS: config.knownHostsFile });
    expect(config.aliases).toEqual(volunteers.map((v) => v.alias));
    expect(statSync(config.sshConfigFile).mode & 0o777).toBe(0o600);
    const replies = await Promise.all(volunteers.map((v) => ssh(['-F', config.sshConfigFile, v.alias, 'echo', v.alias])));
    expect(replies).toEqual(volunteers.map((v) => `${v.alias}\n`));
    await config.remove();
    expect(existsSync(config.dir)).toBe(false);
  });

  it('lists each host key under [127.0.0.1]:port and under the alias', async () => {
    const config = await makeClientConfig(volunteers);
    const lines = readFileSync(config.knownHostsFile, 'utf8').trim().split('\n');
    expect(lines).toEqual(volunteers.flatMap((v) => [`[127.0.0.1]:${v.port} ${v.hostPublicKey}`, `${v.alias} ${v.hostPublicKey}`]));
    expect(config.sshConfigText.match(/^Host /gm)).toHaveLength(2);
    expect(config.sshConfigText).toContain(`UserKnownHostsFile ${config.knownHostsFile}\n`);
  });

  it('is removed by stopAll', async () => {
    const config = await makeClientConfig(volunteers.slice(0, 1));
    await stopAll();
    expect(existsSync(config.dir)).toBe(false);
  });
});
