#!/usr/bin/env node
// `npm run bench`: sshcc against local builds, distcc over ssh and distcc over TCP, on this machine's
// loopback volunteers, in one run. Prints Markdown tables and writes bench/results/<time>.json; a run of
// every phase also writes bench/results/latest.json (the one the README quotes). Never run by CI.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { readOptions } = require('./lib/options');
const { BenchContext } = require('./lib/bench-context');
const { checkTools } = require('./lib/check-tools');
const { describeMachine, loadAverage } = require('./lib/machine');
const { renderReport } = require('./lib/report');
const { abortAll } = require('./lib/run-command');

const PHASES = {
  build: () => require('./phases/build').buildPhase,
  overhead: () => require('./phases/overhead').overheadPhase,
  throughput: () => require('./phases/throughput').throughputPhase,
  bytes: () => require('./phases/bytes').bytesPhase,
  memory: () => require('./phases/memory').memoryPhase,
  wan: () => require('./phases/wan').wanPhase,
  packs: () => require('./phases/packs').packsPhase,
  perjob: () => require('./phases/perjob').perjobPhase,
  zstd: () => require('./phases/zstd').zstdPhase,
  scale: () => require('./phases/scale').scalePhase,
  slots: () => require('./phases/slots').slotsPhase,
};

function log(line) {
  process.stderr.write(`bench: ${line}\n`);
}

async function main() {
  const options = readOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${options.help}\n`);
    return 0;
  }
  checkTools(options);
  const started = new Date();
  const ctx = new BenchContext(options, log);
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      log(`${signal}: stopping builds, agents, distccd and volunteers`);
      abortAll();
      ctx.close().finally(() => process.exit(130));
    });
  }
  const results = [];
  const failures = [];
  const loadBefore = loadAverage();
  try {
    for (const name of options.phases) {
      log(`phase ${name}`);
      const t0 = Date.now();
      try {
        const result = await PHASES[name]()(ctx);
        results.push({ ...result, seconds: Math.round((Date.now() - t0) / 1000) });
        // A phase of independent parts reports a part that failed and keeps the others' figures.
        for (const error of result.failures ?? []) failures.push({ phase: name, error });
      } catch (err) {
        if (interrupted) return 130;
        log(`phase ${name} failed: ${err instanceof Error ? err.stack : err}`);
        failures.push({ phase: name, error: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    if (!interrupted) await ctx.close();
  }
  const report = {
    date: started.toISOString(),
    machine: describeMachine(),
    load: { before: loadBefore, after: loadAverage() },
    options: { ...options, help: undefined },
    phases: Object.fromEntries(results.map((r) => [r.key, { title: r.title, seconds: r.seconds, headers: r.headers, rows: r.rows, notes: r.notes, tables: r.tables ?? [], targets: r.targets, data: r.data }])),
    targets: results.flatMap((r) => r.targets.map((t) => ({ phase: r.key, ...t }))),
    failures,
  };
  const markdown = renderReport(report);
  report.markdown = markdown;
  process.stdout.write(`${markdown}\n`);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamped = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(stamped, `${JSON.stringify(report, null, 2)}\n`);
  if (options.allPhases && failures.length === 0) fs.writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  log(`results: ${path.relative(process.cwd(), stamped)}${options.allPhases && failures.length === 0 ? ' and bench/results/latest.json' : ''}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
