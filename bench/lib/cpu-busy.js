'use strict';
// How busy the whole machine was during a run (all cores, all processes, ours and anyone else's): on a
// shared machine a figure taken at 100% busy means something else than one taken at 60%.
const fs = require('node:fs');

function cpuSnapshot() {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] || 0);
  const total = fields.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Fraction of all cores' time that was busy between two snapshots (0..1). */
function busyFraction(before, after) {
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

module.exports = { cpuSnapshot, busyFraction };
