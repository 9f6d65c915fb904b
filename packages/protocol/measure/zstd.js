#!/usr/bin/env node
// Measures the data codec on real preprocessed C++: `node packages/protocol/measure/zstd.js` (after a
// build). Prints MB/s (raw bytes per second) and ratio for the codec as the protocol uses it (one zstd
// frame per 256 KiB chunk, level 1) and for alternatives it was chosen over. Figures go in README.md.

const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { loadDataCodec, dataChunks, DATA_CHUNK_BYTES } = require('../dist');

const SOURCE = '#include <iostream>\n#include <map>\n#include <vector>\n#include <regex>\nint main() { std::map<int, std::vector<std::string>> m; std::regex r("a+"); std::cout << m.size() << std::regex_match("aa", r); }\n';
const ROUNDS = 15;

function preprocess(extra) {
  const dir = mkdtempSync(join(tmpdir(), 'sshcc-zstd-'));
  try {
    writeFileSync(join(dir, 'big.cpp'), SOURCE);
    return execFileSync('g++', ['-E', ...extra, 'big.cpp'], { cwd: dir, maxBuffer: 1 << 28 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(fn) {
  const times = [];
  let out;
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    out = fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)], out };
}

function chunksOf(buffer, size) {
  const chunks = [];
  for (let at = 0; at < buffer.length; at += size) chunks.push(buffer.subarray(at, at + size));
  return chunks;
}

function withZstd() {
  return new Promise((resolve) => require('zstd-codec').ZstdCodec.run(resolve));
}

async function main() {
  const codec = await loadDataCodec('zstd');
  const zstd = await withZstd();
  const simple = new zstd.Simple();
  for (const [label, extra] of [['g++ -E', []], ['g++ -E -fdirectives-only', ['-fdirectives-only']]]) {
    const raw = preprocess(extra);
    const mb = raw.length / 1e6;
    console.log(`\n${label}: ${(raw.length / 1024 / 1024).toFixed(2)} MiB`);
    const row = (name, enc, dec, compressed) =>
      console.log(`  ${name.padEnd(34)} ratio ${(raw.length / compressed).toFixed(2)}x  compress ${(mb / enc).toFixed(0)} MB/s  decompress ${(mb / dec).toFixed(0)} MB/s`);

    const chunks = chunksOf(raw, DATA_CHUNK_BYTES);
    const enc = median(() => chunks.map((c) => codec.encode(c)));
    const dec = median(() => enc.out.map((p) => codec.decode(p, DATA_CHUNK_BYTES)));
    if (!Buffer.concat(dec.out).equals(raw)) throw new Error('round trip failed');
    row('protocol: level 1, 256 KiB frames', enc.seconds, dec.seconds, enc.out.reduce((s, p) => s + p.length, 0));

    for (const level of [1, 3]) {
      const e = median(() => simple.compress(raw, level));
      const d = median(() => simple.decompress(e.out));
      row(`one frame for the file, level ${level}`, e.seconds, d.seconds, e.out.length);
    }
    const s = median(() => new zstd.Streaming().compressChunks(chunksOf(raw, 64 * 1024), raw.length, 1));
    const sd = median(() => new zstd.Streaming().decompressChunks(chunksOf(Buffer.from(s.out), 64 * 1024), raw.length));
    row('streaming API, 64 KiB writes, lvl 1', s.seconds, sd.seconds, s.out.length);
  }
  // dataChunks is what a piped source goes through; make sure it is not the bottleneck.
  const raw = preprocess([]);
  const pieces = chunksOf(raw, 64 * 1024);
  const started = process.hrtime.bigint();
  let n = 0;
  for await (const chunk of dataChunks((async function* () { yield* pieces; })())) n += chunk.length;
  console.log(`\ndataChunks over 64 KiB pipe reads: ${(raw.length / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9)).toFixed(0)} MB/s (${n} bytes)`);
}

main();
