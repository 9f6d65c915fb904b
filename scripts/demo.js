#!/usr/bin/env node
// The demo: a private loopback sshd volunteer (sshcc-server as its Subsystem), the examples/ project
// built through it with `make -j`, where each job ran, and the totals. Nothing outside .sshcc-demo/
// is touched, and the volunteer and the agent are stopped at the end.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const work = path.join(root, '.sshcc-demo');
const sshcc = path.join(root, 'node_modules/.bin/sshcc');

function fail(what, why, code) {
  process.stderr.write(`sshcc demo: ${what}: ${why}\n`);
  process.exit(code);
}

function findSshd() {
  for (const dir of ['/usr/sbin', '/usr/local/sbin', '/sbin', ...(process.env.PATH || '').split(':')]) {
    const candidate = path.join(dir || '.', 'sshd');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

async function main() {
  const sshdPath = findSshd();
  if (sshdPath === null) fail('sshd', 'OpenSSH server not found: install the openssh-server package (apt-get install openssh-server)', 2);
  for (const tool of ['make', 'gcc', 'g++']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) fail(tool, `not found: install it (apt-get install build-essential)`, 2);
  }
  const { startVolunteer, makeClientConfig, stopAll } = require('@sshcc/testkit');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true, mode: 0o700 });
  const jobLog = path.join(work, 'jobs.log');
  let env;
  try {
    process.stdout.write('starting a private sshd volunteer on 127.0.0.1 (Subsystem sshcc = sshcc-server)... ');
    const volunteer = await startVolunteer({ sshdPath, env: { TMPDIR: os.tmpdir() } });
    const config = await makeClientConfig([volunteer]);
    process.stdout.write(`port ${volunteer.port}\n`);
    env = {
      ...process.env,
      ...config.env,
      SSHCC_DIR: path.join(work, 'agent'),
      SSHCC_HOSTS: `${volunteer.alias}/4`,
      SSHCC_LOG: jobLog,
    };
    const jobs = Math.max(4, os.cpus().length * 2);
    const cmd = ['-C', path.join(root, 'examples'), `-j${jobs}`, `O=${path.join(work, 'build')}`, `CC=${sshcc} gcc`, `CXX=${sshcc} g++`, 'all'];
    process.stdout.write(`SSHCC_HOSTS="${env.SSHCC_HOSTS}" make ${cmd.slice(2).join(' ')}\n\n`);
    const started = Date.now();
    const build = spawnSync('make', ['-s', ...cmd], { env, stdio: 'inherit' });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (build.status !== 0) fail('build', `make exited with ${build.status ?? build.signal}`, 1);
    const lines = fs.existsSync(jobLog) ? fs.readFileSync(jobLog, 'utf8').trim().split('\n') : [];
    for (const line of lines) process.stdout.write(`  ${line.replace(/^sshcc: /, '')}\n`);
    const remote = lines.filter((line) => / compiled on /.test(line)).length;
    // A second demo finds the first one's objects in the user's result cache.
    const cached = lines.filter((line) => /answered from the result cache(?: without running the preprocessor \(direct mode\))?$/.test(line)).length;
    const local = lines.length - remote - cached;
    const fromCache = cached > 0 ? `, ${cached} answered from the result cache` : '';
    process.stdout.write(`\n${lines.length} jobs in ${seconds} s: ${remote} compiled on the volunteer${fromCache}, ${local} ran locally (links and the like)\n`);
    const check = spawnSync('make', ['-s', '-C', path.join(root, 'examples'), `O=${path.join(work, 'build')}`, 'check'], { env, encoding: 'utf8' });
    process.stdout.write(`\nthe programs it built, run:\n${check.stdout}`);
  } finally {
    if (env) spawnSync(sshcc, ['agent', 'stop'], { env, stdio: 'ignore' });
    await stopAll();
  }
}

main().catch((err) => fail('error', err instanceof Error ? err.message : String(err), 1));
