'use strict';
// CPU time of whole process trees (a volunteer's sshd with its sessions, servers and compilers; distccd
// with its workers): each process's own utime+stime plus cutime+cstime of the children it reaped, summed
// over the tree. A process that exits and is reaped inside the tree is counted in its parent's cutime,
// so taking the sum before and after a build charges the build for everything the tree did meanwhile.
const fs = require('node:fs');
const { cpuTimes } = require('./proc-stat');

function parentsTable() {
  const parent = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  return parent;
}

/** Pids of the live processes in the trees under `roots`, the roots included. */
function treePids(roots) {
  const parent = parentsTable();
  const inTree = (pid) => {
    for (let p = pid; p !== undefined && p > 1; p = parent.get(p)) if (roots.includes(p)) return true;
    return false;
  };
  return [...parent.keys()].filter(inTree);
}

/**
 * Map pid → { name, selfMs, childrenMs } for every live process in the trees under `roots` (the
 * children part: what the processes it reaped used, e.g. sshcc-server's compilers).
 */
function treeCpu(roots) {
  const result = new Map();
  for (const pid of treePids(roots)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      result.set(pid, { name, ...cpuTimes(pid) });
    } catch {
      // exited meanwhile
    }
  }
  return result;
}

/**
 * CPU the trees used between two snapshots: all of it after, less all of it before. A process that was
 * there before and has gone since reappears, whole, in the cutime of the process that reaped it.
 */
function treeCpuDelta(before, after) {
  const sum = (map) => [...map.values()].reduce((a, t) => a + t.selfMs + t.childrenMs, 0);
  return sum(after) - sum(before);
}

/** The same, split by process name: { "sshd": ms, "sshd reaped": ms, "node": ms, "node reaped": ms, ... }. */
function treeCpuByName(before, after) {
  const parts = {};
  const add = (map, sign) => {
    for (const t of map.values()) {
      parts[t.name] = (parts[t.name] ?? 0) + sign * t.selfMs;
      parts[`${t.name} reaped`] = (parts[`${t.name} reaped`] ?? 0) + sign * t.childrenMs;
    }
  };
  add(after, 1);
  add(before, -1);
  return Object.fromEntries(Object.entries(parts).filter(([, ms]) => Math.abs(ms) >= 1).sort((a, b) => b[1] - a[1]));
}

module.exports = { treePids, treeCpu, treeCpuDelta, treeCpuByName };
