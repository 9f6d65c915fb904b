// A volunteer whose host key changes between two builds (reinstalled, or someone else answering on its
// address): the agent that compiled there in the first build refuses it in the second with a one-line
// error naming the host, logs in nowhere, sends it nothing, and the build still succeeds here.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobLeftovers, makeClientConfig, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { TestAgent } from './support/security-agent';
import { run, writeFiles } from './support/split-compile';

const BACKOFF_MS = 200;

let root: string;
let project: string;
let serverTmp: string;
let volunteer: Volunteer;
let config: ClientConfig;
let agent: TestAgent;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-host-key-')));
  project = join(root, 'project');
  serverTmp = join(root, 'server-tmp');
  for (const dir of [project, serverTmp]) mkdirSync(dir);
  writeFiles(project, {
    'first.c': 'int first(int x) { return x * 3; }\n',
    'second.c': 'int second(int x) { return x - 3; }\n',
    'third.c': 'static const char *name = "third"; const char *third(void) { return name; }\n',
  });
  volunteer = await startVolunteer({ env: { TMPDIR: serverTmp } });
  config = await makeClientConfig([volunteer]);
  // A short backoff: the restart drops the agent's connection, and build two should find the host probed again.
  agent = TestAgent.create({ ...config.env, SSHCC_BACKOFF_MS: String(BACKOFF_MS) }, `${volunteer.alias}/2`);
}, 30_000);

afterAll(async () => {
  await agent?.stop();
  await config?.remove();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

const compile = (name: string) => agent.compile(['gcc', '-O2', '-c', `${name}.c`, '-o', `${name}.o`], project);

it('refuses a volunteer whose host key changed since the last build, with one line, and compiles here', async () => {
  const host = `${volunteer.alias}/2`;
  const name = `[127.0.0.1]:${volunteer.port}`;
  const oldKey = volunteer.hostPublicKey;

  // Build one: the volunteer compiles.
  expect(await compile('first')).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(agent.jobs()).toEqual([{ output: 'first.o', host, why: null }]);
  // sshd logs each login (the check after the restart relies on it).
  expect(volunteer.log).toMatch(/Accepted publickey for /);

  // Reinstalled: same address and port, new host key. known_hosts still has the old one. The first
  // build's channel workspace goes down with the machine (a kill leaves no cleanup), holding nothing of its job.
  await volunteer.restart({ newHostKey: true });
  const leftByTheFirst = readdirSync(serverTmp);
  expect(jobLeftovers(serverTmp)).toEqual([]);
  expect(volunteer.hostPublicKey).not.toBe(oldKey);
  expect(readFileSync(config.knownHostsFile, 'utf8')).toContain(oldKey);

  // The dropped connection backed the host off; build two starts once that is over, as a later build would.
  await new Promise((resolve) => setTimeout(resolve, 3 * BACKOFF_MS));

  // Build two, same agent: both compiles succeed, here. The first tried the host and says why not.
  for (const unit of ['second', 'third']) expect(await compile(unit)).toEqual({ code: 0, stdout: '', stderr: '' });
  const [, ...second] = agent.jobs();
  expect(second.map((job) => job.output)).toEqual(['second.o', 'third.o']);
  expect(second.map((job) => job.host)).toEqual([null, null]);
  const refusal = `host key for ${name} changed: refusing (it offers ssh-ed25519 ${fingerprint(volunteer.hostPublicKey)}; ${config.knownHostsFile}:1 has ${fingerprint(oldKey)})`;
  expect(second[0]?.why).toBe(`every volunteer failed (${host}: host key: ${refusal})`);
  // The agent's log has it as one line of its own.
  const lines = agent.agentLog().split('\n').filter((line) => line.includes('host key'));
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\S+ \\[\\d+\\] ${escape(host)}: backed off for \\d+ s: host key for ${escape(name)} changed: refusing$`)));

  // Nothing ran there: no login since the restart, no workspace made since.
  expect(volunteer.log).not.toMatch(/Accepted publickey/);
  expect(readdirSync(serverTmp)).toEqual(leftByTheFirst);

  // And what was compiled here is what gcc makes.
  for (const unit of ['second', 'third']) {
    run(['gcc', '-O2', '-c', `${unit}.c`, '-o', `${unit}.local.o`], project);
    expect(readFileSync(join(project, `${unit}.o`)).equals(readFileSync(join(project, `${unit}.local.o`)))).toBe(true);
  }
}, 60_000);

/** `SHA256:…` as ssh-keygen -l prints it, of a `type base64` public key. */
function fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(' ')[1] as string, 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
