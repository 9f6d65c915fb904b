'use strict';
// Phase: the zstd engines @sshcc/protocol can use (node:zlib where this Node has it, the native binding,
// the WASM zstd-codec) on preprocessed C and C++ in the protocol's 256 KiB chunks, at the levels the
// agent chooses from: MB/s, CPU per MB and ratio, compressing and decompressing. Rounds rotate the
// engines, so each figure is a median taken alongside the others.
const { execFileSync } = require('node:child_process');
const { ZSTD_ENGINES, loadDataCodec, DATA_CHUNK_BYTES } = require('@sshcc/protocol');
const { CANDIDATE_LEVELS } = require('@sshcc/core');
const { median } = require('../lib/stats');

const HEADERS = {
  c: '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n',
  'c++': '#include <string>\n#include <vector>\n#include <map>\n#include <memory>\n#include <algorithm>\n#include <iostream>\n',
};

function preprocessed() {
  return Buffer.concat(
    Object.entries(HEADERS).map(([lang, text]) => execFileSync('gcc', ['-E', '-fdirectives-only', '-x', lang, '-'], { input: text, maxBuffer: 1 << 26 })),
  );
}

function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs `fn` on every chunk; wall and CPU milliseconds, and the bytes it returned. */
function timed(chunks, fn) {
  const wall = performance.now();
  const cpu = cpuMs();
  let out = 0;
  for (const chunk of chunks) out += fn(chunk).length;
  return { wallMs: performance.now() - wall, cpuMs: cpuMs() - cpu, out };
}

async function zstdPhase(ctx) {
  const { options, log } = ctx;
  const source = preprocessed();
  const chunks = [];
  for (let at = 0; at + DATA_CHUNK_BYTES <= source.length; at += DATA_CHUNK_BYTES) chunks.push(source.subarray(at, at + DATA_CHUNK_BYTES));
  const rawMb = (chunks.length * DATA_CHUNK_BYTES) / 1e6;
  const codecs = [];
  for (const engine of ZSTD_ENGINES) {
    try {
      codecs.push(await loadDataCodec('zstd', engine));
    } catch {
      log(`  zstd engine ${engine}: does not load here`);
    }
  }
  const levels = [0, ...CANDIDATE_LEVELS];
  const per = new Map();
  const sample = (key, value) => per.set(key, [...(per.get(key) ?? []), value]);
  const rounds = options.quick ? 2 : 7;
  for (let round = 0; round < rounds; round++) {
    const order = codecs.map((_, i) => codecs[(i + round) % codecs.length]);
    for (const codec of order) {
      for (const level of levels) {
        const enc = timed(chunks, (chunk) => codec.encode(chunk, level));
        sample(`${codec.engine} ${level} enc`, enc);
        const frames = chunks.map((chunk) => codec.encode(chunk, level));
        sample(`${codec.engine} ${level} dec`, timed(frames, (frame) => codec.decode(frame, DATA_CHUNK_BYTES)));
      }
    }
  }
  const rows = [];
  const data = {};
  for (const codec of codecs) {
    for (const level of levels) {
      const enc = per.get(`${codec.engine} ${level} enc`);
      const dec = per.get(`${codec.engine} ${level} dec`);
      const figures = {
        compressMBps: median(enc.map((s) => rawMb / (s.wallMs / 1000))),
        compressCpuMsPerMB: median(enc.map((s) => s.cpuMs / rawMb)),
        ratio: (chunks.length * DATA_CHUNK_BYTES) / enc[0].out,
        decompressCpuMsPerMB: median(dec.map((s) => s.cpuMs / rawMb)),
      };
      data[`${codec.engine}-${level}`] = figures;
      rows.push([
        codec.engine,
        level === 0 ? '0 (stored)' : String(level),
        figures.compressMBps.toFixed(0),
        figures.compressCpuMsPerMB.toFixed(2),
        figures.ratio.toFixed(2),
        figures.decompressCpuMsPerMB.toFixed(2),
      ]);
    }
  }
  return {
    key: 'zstd',
    title: `zstd engines: ${rawMb.toFixed(1)} MB of preprocessed C and C++ in ${chunks.length} chunks of 256 KiB, ${rounds} rounds`,
    headers: ['engine', 'level', 'compress MB/s (median)', 'compress CPU ms/MB', 'ratio', 'decompress CPU ms/MB'],
    rows,
    notes: [
      'CPU is this process\'s (process.cpuUsage): the engines compress on the calling thread.',
      'The agent picks among these levels per link (core chooseZstdLevel); the engine is the best that loads: node, then the binding, then wasm.',
    ],
    targets: [],
    data: { rawBytes: chunks.length * DATA_CHUNK_BYTES, engines: codecs.map((c) => c.engine), figures: data },
  };
}

module.exports = { zstdPhase };
