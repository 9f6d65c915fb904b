'use strict';
// The pinned variant: the client side on one core, the volunteer on the other. taskset pins a process
// (every thread of it, -a); affinity is inherited across fork and exec, so a daemon pinned before it serves
// (sshd's listener, distccd, the agent) pins everything it starts later. The proof is read, not assumed:
// Cpus_allowed_list of every thread of every process in the trees, sampled while the builds run.
const fs = require('node:fs');
const { runCommand } = require('./run-command');
const { treePids } = require('./tree-cpu');

async function pinProcess(pid, cpus) {
  await runCommand('taskset', ['-a', '-p', '-c', cpus, String(pid)], { check: true });
}

/** [{ tid, cpus }] of a live process's threads (none when it has gone). */
function threadCpus(pid) {
  let tids;
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const threads = [];
  for (const tid of tids) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      threads.push({ tid: Number(tid), cpus: /^Cpus_allowed_list:\s*(\S+)/m.exec(status)[1] });
    } catch {
      // exited meanwhile
    }
  }
  return threads;
}

function commandName(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Samples, every `intervalMs` until stop(), the affinity of every thread in each group's trees:
 * `groups` is { name: { cpus, roots: () => pids } }. stop() resolves
 * { [name]: { cpus, processes (distinct pids seen), names (their commands), wrong: [{ pid, name, cpus }] } }.
 */
function sampleAffinity(groups, intervalMs = 250) {
  const seen = Object.fromEntries(Object.keys(groups).map((name) => [name, { pids: new Set(), names: new Set(), wrong: [] }]));
  const sample = () => {
    for (const [name, group] of Object.entries(groups)) {
      const s = seen[name];
      for (const pid of treePids(group.roots())) {
        const comm = commandName(pid);
        const threads = threadCpus(pid);
        if (comm === null || threads.length === 0) continue;
        s.pids.add(pid);
        s.names.add(comm);
        const off = threads.find((t) => t.cpus !== group.cpus);
        if (off && s.wrong.length < 20) s.wrong.push({ pid, name: comm, cpus: off.cpus });
      }
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(Object.entries(seen).map(([name, s]) => [name, { cpus: groups[name].cpus, processes: s.pids.size, names: [...s.names].sort(), wrong: s.wrong }]));
    },
  };
}

/** Pids of this process's descendants that run `make` (the roots of the build being measured). */
function makePids() {
  return treePids([process.pid]).filter((pid) => pid !== process.pid && commandName(pid) === 'make');
}

module.exports = { pinProcess, sampleAffinity, makePids, threadCpus };
