'use strict';
// distcc as the comparison: over ssh (DISTCC_HOSTS=@alias, ssh reading the volunteer's ssh_config
// through a DISTCC_SSH wrapper; sshd runs `distccd --inetd` per job) and over plain TCP to a loopback
// distccd we start and stop. DISTCC_FALLBACK=0: a job distcc could not distribute fails the build
// instead of quietly compiling here, so a finished build proves the compiles went remote. Both distccd's
// run with --nice 0 (their default is +5), like sshcc's volunteer and the local compiles.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { isAlive } = require('./proc-stat');

function writeSshWrapper(dir, sshConfigFile) {
  const file = path.join(dir, 'ssh-for-distcc');
  // distcc runs `ssh host distccd --inetd ...`; distccd lowers its priority by 5 unless told otherwise,
  // which sshcc's compiles and local ones don't: `--nice 0` appended keeps the comparison even.
  fs.writeFileSync(file, `#!/bin/sh\nexec ssh -F '${sshConfigFile}' "$@" --nice 0\n`, { mode: 0o755 });
  return file;
}

function distccEnv({ hosts, stateDir, sshWrapper, base = process.env }) {
  fs.mkdirSync(stateDir, { recursive: true });
  return {
    ...base,
    DISTCC_HOSTS: hosts,
    DISTCC_DIR: stateDir,
    DISTCC_FALLBACK: '0',
    // No memory of an earlier failure between runs: each run starts equal.
    DISTCC_BACKOFF_PERIOD: '0',
    ...(sshWrapper ? { DISTCC_SSH: sshWrapper } : {}),
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A loopback distccd in its own process group; `stop()` ends that group. Counts its completed jobs.
 * `cpus` (a taskset list) pins it from its start, so the workers it forks at once are pinned too.
 */
async function startDistccd(logFile, jobs, { cpus } = {}) {
  const port = await freePort();
  const args = ['--daemon', '--no-detach', '--allow', '127.0.0.1', '--listen', '127.0.0.1', '--port', String(port), '--jobs', String(jobs), '--log-stderr', '--log-level', 'info', '--nice', '0'];
  // distccd refuses to run as root; it drops to this user to compile.
  if (process.getuid() === 0) args.push('--user', 'nobody');
  const log = fs.openSync(logFile, 'a');
  // taskset execs distccd in its own process: the pid stays the daemon's.
  const [cmd, argv] = cpus === undefined ? ['distccd', args] : ['taskset', ['-c', cpus, 'distccd', ...args]];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', log], detached: true });
  fs.closeSync(log);
  // Its own process group outlives us unless ended: also when the bench dies without cleaning up.
  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  };
  process.once('exit', killGroup);
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`distccd did not start: ${fs.readFileSync(logFile, 'utf8').slice(-500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid,
    completedJobs: () => (fs.readFileSync(logFile, 'utf8').match(/COMPILE_OK/g) || []).length,
    stop: async () => {
      process.removeListener('exit', killGroup);
      if (!isAlive(child.pid)) return;
      killGroup();
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    },
  };
}

module.exports = { writeSshWrapper, distccEnv, startDistccd };
