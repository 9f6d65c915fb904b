'use strict';
// CPU time and memory of a long-lived process read from /proc, the only way to charge a daemon (the
// sshcc agent, which make never waits for) for the jobs it served.
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * { selfMs, childrenMs } of a live process: utime+stime of all its threads, and cutime+cstime of the
 * children it has reaped (for the agent: the local preprocessors, gcc and the cc1 gcc waited for).
 * Resolution is one clock tick (10 ms): compare totals over many jobs, never one job.
 */
function cpuTimes(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (i) => Number(fields[i]);
  const toMs = (t) => (t * 1000) / TICKS_PER_SECOND;
  return { selfMs: toMs(ticks(11) + ticks(12)), childrenMs: toMs(ticks(13) + ticks(14)) };
}

function cpuDelta(before, after) {
  return { selfMs: after.selfMs - before.selfMs, childrenMs: after.childrenMs - before.childrenMs };
}

/** { rssKiB, hwmKiB } from /proc/<pid>/status: resident set now and its high-water mark. */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number((new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status) || [])[1]);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Command lines of the given pids (those still alive). */
function commandLines(pids) {
  const lines = [];
  for (const pid of pids) {
    try {
      lines.push(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // gone meanwhile
    }
  }
  return lines;
}

module.exports = { cpuTimes, cpuDelta, memory, isAlive, commandLines };
