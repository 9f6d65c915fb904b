'use strict';
// What the figures were measured on: they only mean something next to the machine's cores and load.
const fs = require('node:fs');
const os = require('node:os');
const { spawnSync } = require('node:child_process');

function firstLine(cmd, args) {
  const run = spawnSync(cmd, args, { encoding: 'utf8' });
  return run.status === 0 ? (run.stdout || run.stderr).split('\n')[0].trim() : null;
}

function describeMachine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo);
  return {
    cores: os.cpus().length,
    model: model ? model[1].trim() : os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    gcc: firstLine('gcc', ['--version']),
    distcc: firstLine('distcc', ['--version']),
    ssh: firstLine('ssh', ['-V']),
  };
}

function loadAverage() {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

module.exports = { describeMachine, loadAverage };
