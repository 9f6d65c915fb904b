'use strict';
// The round-trip time of the WAN link as an application sees it, measured on the link itself: one byte
// echoed by `cat` over an open ssh session to the volunteer, many times. On a kernel without sch_netem the
// delay is added by testkit's userspace relay, which an ICMP ping across the veth would not see; an echo
// through sshd crosses the relay and the shaped veth both ways, exactly as a job's request and answer do.
const { spawn } = require('node:child_process');
const { summarize } = require('./stats');

const ECHO_TIMEOUT_MS = 20_000;

/** { median, min, max, n, samples } in ms of `samples` one-byte echoes (after one untimed warm-up). */
async function sshEchoRtt({ sshConfigFile, alias, samples }) {
  const child = spawn('ssh', ['-F', sshConfigFile, '-T', alias, 'exec cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let waiting = null;
  child.stdout.on('data', (chunk) => {
    const done = waiting;
    waiting = null;
    if (done) done.resolve(chunk.length);
  });
  const exited = new Promise((resolve) => child.once('close', resolve));
  const echo = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no echo over ssh within ${ECHO_TIMEOUT_MS} ms: ${stderr.trim()}`)), ECHO_TIMEOUT_MS);
      waiting = {
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n);
        },
      };
      exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`ssh exited before echoing: ${stderr.trim()}`));
      });
      child.stdin.write('x');
    });
  try {
    await echo(); // the handshake and cat's start-up: not a round trip of the link
    const times = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await echo();
      times.push(performance.now() - t0);
    }
    return summarize(times);
  } finally {
    child.stdin.end();
    child.kill('SIGTERM');
    await exited;
  }
}

module.exports = { sshEchoRtt };
