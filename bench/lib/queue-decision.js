'use strict';
// The queue's decision, timed alone: what the agent's Scheduler runs for each waiting job whenever a slot
// frees (HostTable.loads() of every host, then core's placeCompile), with the hosts of the scale phase
// (e.g. 32 × 8 slots), most slots busy and every host's speed measured. Batches of calls, the median
// batch divided by its size: one call is far below the clock's useful resolution.
const path = require('node:path');
const { CLIENT_DIST } = require('./sshcc');
const { median } = require('./stats');

const BATCH = 2000;
const BATCHES = 50;

function timeQueueDecision({ volunteers, slots }) {
  const { HostTable } = require(path.join(CLIENT_DIST, 'hosts', 'host-table.js'));
  const { placeCompile } = require('@sshcc/core');
  const hosts = new HostTable(Array.from({ length: volunteers }, (_, i) => ({ id: `v${i}`, slots })));
  // A fixed, uneven picture: host i runs (i mod slots) jobs, one host in four is twice as slow.
  for (let i = 0; i < volunteers; i++) {
    const id = `v${i}`;
    for (let j = 0; j < slots; j++) hosts.recordTiming(id, { ms: (i % 4 === 0 ? 2 : 1) * (8000 + j), bytes: 100 });
    for (let j = 0; j < i % slots; j++) hosts.takeSlot(id);
  }
  const local = { slots: 2, running: 0 };
  const job = { avoid: new Set(['v3']) };
  let sink = 0;
  const perCall = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < BATCH; k++) {
      const placement = placeCompile(hosts.loads(), local, job);
      if (placement.kind === 'remote') sink++;
    }
    perCall.push(Number(process.hrtime.bigint() - t0) / 1000 / BATCH);
  }
  if (sink === 0) throw new Error('queue decision: no placement went remote');
  return { medianUs: median(perCall), minUs: Math.min(...perCall), maxUs: Math.max(...perCall), calls: BATCH * BATCHES };
}

module.exports = { timeQueueDecision };
