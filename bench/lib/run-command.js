'use strict';
// Runs one command and times it on the wall clock. Async, so the bench process stays responsive (it owns
// the volunteers' bookkeeping and may be sampling an agent's memory meanwhile).
const { spawn } = require('node:child_process');

const MAX_KEPT_BYTES = 4 * 1024 * 1024;

/** Commands running now, each the leader of its own process group (make and whatever it started). */
const running = new Set();
let aborted = false;

/**
 * Interrupted: every running command's process group gets SIGTERM, and no command starts after this,
 * so a phase cannot start an agent again while the bench is stopping them.
 */
function abortAll() {
  aborted = true;
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  }
}
// Each command leads its own process group, so nothing else would end it if the bench died.
process.once('exit', abortAll);

/**
 * Resolves { code, signal, ms, stdout, stderr }. Rejects only when the command cannot start;
 * `check: true` also rejects on a non-zero exit, with its stderr's tail.
 */
function runCommand(cmd, args, { cwd, env, timeoutMs = 30 * 60_000, check = false, input } = {}) {
  if (aborted) return Promise.reject(new Error('interrupted'));
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    running.add(child);
    const out = [];
    const err = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (chunk) => {
      if ((outBytes += chunk.length) <= MAX_KEPT_BYTES) out.push(chunk);
    });
    child.stderr.on('data', (chunk) => {
      if ((errBytes += chunk.length) <= MAX_KEPT_BYTES) err.push(chunk);
    });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      running.delete(child);
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const result = { code, signal, ms, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (check && code !== 0) {
        const tail = result.stderr.trim().split('\n').slice(-8).join('\n');
        reject(new Error(`${cmd} ${args.join(' ').slice(0, 200)} exited with ${code ?? signal}:\n${tail}`));
      } else {
        resolve(result);
      }
    });
  });
}

module.exports = { runCommand, abortAll };
