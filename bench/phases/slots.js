'use strict';
// Phase `slots` (issue 18 item 1): what a volunteer's shared slots cost a job. (1) Per job, end to end
// through sshcc-server's serve(): the same tiny gcc job on a channel whose server takes a slot from the
// account's coordinator, and on one whose server keeps none, alternating in the same run (medians). (2)
// The two ways the issue names to keep the slots, acquire + release alone: the coordinator (a process of
// its own, on a socket) and a lock directory (the ticket files the admin's cap across accounts uses).
// Not in the default run: `--only slots`.
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { clientHandshake, memoryChannel } = require('@sshcc/protocol');
const { fingerprintCompiler } = require('@sshcc/store');
const { serve } = require('@sshcc/server');
const { SlotLink } = require('@sshcc/server/dist/slots/slot-link');
const { coordinatorAddress } = require('@sshcc/server/dist/slots/coordinator-name');
const { acquireSharedSlot } = require('@sshcc/server/dist/slots/shared-slots');
const { summarize } = require('../lib/stats');

const SERVER_BIN = path.resolve(__dirname, '../../packages/server/bin/sshcc-server.js');
const ROUNDS = 15;
const JOBS_PER_ROUND = 20;
const GATE_ROUNDS = 2000;
const SOURCE = Buffer.from('int answer(void) { return 42; }\n');

/** A server on a memory channel, in this process, and its client session. */
async function openChannel(env, coordinator) {
  const { client, server } = memoryChannel();
  const served = serve(server, env, coordinator === null ? {} : { coordinator });
  const session = await clientHandshake(client, { agent: '0123456789abcdef' });
  return { session, close: async () => (await session.close(), await served) };
}

async function perJob(ctx, env, spec) {
  const coordinator = [process.execPath, SERVER_BIN, '--slots-coordinator'];
  const withSlots = await openChannel(env, coordinator);
  const without = await openChannel(env, null);
  const times = { with: [], without: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Which goes first alternates, so a disturbance between the halves of a round falls on both alike.
      const order = round % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
      for (const which of order) {
        const { session } = which === 'with' ? withSlots : without;
        const ms = [];
        for (let i = 0; i < JOBS_PER_ROUND; i++) {
          const t0 = performance.now();
          const result = await session.runJob(spec, SOURCE);
          ms.push(performance.now() - t0);
          if (result.kind !== 'compiled' || result.exitCode !== 0) throw new Error(`job: ${result.kind}, exit ${result.exitCode}: ${result.message || result.stderr.toString().trim()}`);
        }
        times[which].push(summarize(ms).median);
      }
      ctx.log(`slots: round ${round + 1}/${ROUNDS}`);
    }
  } finally {
    await withSlots.close();
    await without.close();
  }
  return { with: summarize(times.with), without: summarize(times.without), paired: summarize(times.with.map((w, i) => w - times.without[i])) };
}

async function gates(env, root) {
  const link = new SlotLink({ address: coordinatorAddress(env), coordinator: [process.execPath, SERVER_BIN, '--slots-coordinator'], env });
  const dir = path.join(root, 'tickets');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  const never = new AbortController().signal;
  const us = { coordinator: [], tickets: [] };
  try {
    await link.status();
    for (let i = 0; i < GATE_ROUNDS; i++) {
      let t0 = performance.now();
      const { id } = await link.acquire('bench', true, never);
      await link.release(id);
      us.coordinator.push((performance.now() - t0) * 1000);
      t0 = performance.now();
      const slot = await acquireSharedSlot(dir, 4, 0, never);
      if (!slot.granted) throw new Error('no ticket');
      slot.release();
      us.tickets.push((performance.now() - t0) * 1000);
    }
  } finally {
    link.close();
  }
  return { coordinator: summarize(us.coordinator), tickets: summarize(us.tickets) };
}

async function slotsPhase(ctx) {
  const root = ctx.dir('slots');
  for (const sub of ['config/sshcc', 'cache', 'tmp']) fs.mkdirSync(path.join(root, sub), { recursive: true });
  // A compile every time: the volunteer's result cache would answer the same job without a slot.
  fs.writeFileSync(path.join(root, 'config/sshcc/server.json'), JSON.stringify({ slots: 4, cache: { enabled: false } }));
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(root, 'config'), XDG_CACHE_HOME: path.join(root, 'cache'), TMPDIR: path.join(root, 'tmp') };
  const spec = {
    compiler: 'gcc',
    fingerprint: await fingerprintCompiler('gcc'),
    args: ['-c', '-O2'],
    lang: 'c',
    input: 'answer.c',
    output: 'answer.o',
    extraOutputs: [],
    cwd: root,
    env: {},
    timeLimitSeconds: 60,
    sourceBytes: SOURCE.length,
  };
  const job = await perJob(ctx, env, spec);
  const gate = await gates(env, root);
  const ms = (s) => `${s.median.toFixed(2)} ms (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  const us = (s) => `${s.median.toFixed(0)} µs (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
  return {
    key: 'slots',
    title: "A volunteer's shared slots: cost per job",
    headers: ['measure', 'median (min–max)'],
    rows: [
      [`tiny gcc job through serve(), no slots (${ROUNDS} rounds × ${JOBS_PER_ROUND} jobs, median per round)`, ms(job.without)],
      ['the same job taking and freeing a slot of the coordinator', ms(job.with)],
      ['difference, paired by round', ms(job.paired)],
      ['ratio with / without (medians)', (job.with.median / job.without.median).toFixed(3)],
      [`acquire + release alone, coordinator on a socket (${GATE_ROUNDS} each, alternating)`, us(gate.coordinator)],
      ['acquire + release alone, ticket files in a lock directory', us(gate.tickets)],
    ],
    notes: ['The coordinator is the way kept (docs/ARCHITECTURE.md, "Volunteer-wide slots"); ticket files serve only the admin\'s cap across accounts.'],
    targets: [],
    data: { job, gate },
  };
}

module.exports = { slotsPhase };
