'use strict';
// Holds the volunteers' compilers: every cc1/cc1plus under the given sshd processes is stopped (SIGSTOP)
// as soon as it shows up, until release() continues them all. A job then keeps its worker channel busy
// for as long as we like without burning the CPU that the channels' own start-up needs, so "64 channels
// open at once" can be reached on 2 cores. Only descendants of our own sshd processes are touched.
const fs = require('node:fs');

function processTable() {
  const parent = new Map();
  const name = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      name.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      parent.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  return { parent, name };
}

function descendants(rootPids, table) {
  const roots = new Set(rootPids);
  const result = [];
  for (const pid of table.parent.keys()) {
    for (let p = table.parent.get(pid); p !== undefined && p > 1; p = table.parent.get(p)) {
      if (roots.has(p)) {
        result.push(pid);
        break;
      }
    }
  }
  return result;
}

function holdCompilers(sshdPids, { intervalMs = 15 } = {}) {
  const held = new Set();
  let running = true;
  const tick = () => {
    if (!running) return;
    const table = processTable();
    for (const pid of descendants(sshdPids, table)) {
      if (held.has(pid) || !/^cc1(plus)?$/.test(table.name.get(pid) || '')) continue;
      try {
        process.kill(pid, 'SIGSTOP');
        held.add(pid);
      } catch {
        // finished already
      }
    }
    timer = setTimeout(tick, intervalMs);
  };
  let timer = setTimeout(tick, 0);
  return {
    count: () => held.size,
    release() {
      running = false;
      clearTimeout(timer);
      for (const pid of held) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone
        }
      }
    },
  };
}

module.exports = { holdCompilers };
