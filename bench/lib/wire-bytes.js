'use strict';
// Bytes on the wire: the kernel's own per-socket counters (`ss -ti`: bytes_sent, bytes_received) for
// one process's TCP connections to one port, i.e. what the agent's ssh connections to the volunteer
// really carried, SSH framing, encryption and MACs included.
const { spawnSync } = require('node:child_process');

/** Map of "local address:port" → { sent, received } for `pid`'s established connections to `port`. */
function wireCounters(pid, port) {
  const run = spawnSync('ss', ['-tinpH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ss failed: ${run.stderr.trim()}`);
  const counters = new Map();
  const lines = run.stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!/^\S/.test(line) || !line.includes(`pid=${pid},`)) continue;
    const local = line.trim().split(/\s+/)[2];
    const info = lines[i + 1] || '';
    const num = (name) => Number((new RegExp(`\\b${name}:(\\d+)`).exec(info) || [])[1] || 0);
    counters.set(local, { sent: num('bytes_sent') || num('bytes_acked'), received: num('bytes_received') });
  }
  return counters;
}

/** What was carried between two snapshots (connections opened meanwhile count from zero). */
function wireDelta(before, after) {
  let sent = 0;
  let received = 0;
  for (const [key, now] of after) {
    const then = before.get(key) || { sent: 0, received: 0 };
    sent += now.sent - then.sent;
    received += now.received - then.received;
  }
  return { sent, received, connections: after.size };
}

module.exports = { wireCounters, wireDelta };
