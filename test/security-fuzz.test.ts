// sshcc-server under a bounded fuzzer: thousands of generated and mutated frame sequences (random bytes,
// valid frames with wrong fields, huge lengths, truncated streams, out-of-order frames, argv injection)
// through its serve loop in this process, and a few hundred through the built server as a child process.
// After every sequence: it finished with 0 or 113 (and an error frame saying why), sent only well-formed
// frames, left no job dir, wrote nothing into the canary dir; across the run no process stays behind and
// memory stays bounded.
//
// Replay a failure: SSHCC_FUZZ_SEED=<seed> (printed in the failure and the test name); SSHCC_FUZZ_COUNT
// and SSHCC_FUZZ_PROCESSES change how many sequences run.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadDataCodec } from '@sshcc/protocol';
import { fingerprintCompiler } from '@sshcc/store';
import { liveChildren, makeFuzzEnvironment, processesInside, type FuzzEnvironment } from './support/fuzz-environment';
import { describeFailure, violations } from './support/fuzz-oracle';
import { sequenceRandom } from './support/fuzz-random';
import { runInProcess, runProcess, type FuzzObservation } from './support/fuzz-run';
import { generateSequence, type FuzzContext, type FuzzSequence } from './support/fuzz-sequences';
import { waitUntil } from './support/processes-under';

const SEED = process.env.SSHCC_FUZZ_SEED ? Number(process.env.SSHCC_FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const IN_PROCESS = Number(process.env.SSHCC_FUZZ_COUNT ?? 10_000);
const PROCESSES = Number(process.env.SSHCC_FUZZ_PROCESSES ?? 200);
/**
 * A hang guard, not a speed check: alone on 2 cores the in-process run takes ~70 s, but in the full suite it
 * shares them with end-to-end builds and took over 120 s twice (the figures print how long it took).
 */
const FUZZ_TIMEOUT_MS = 360_000;
/** Child-process sequences take their generators from a range of indexes of their own. */
const PROCESS_INDEX_BASE = 1_000_000;
const PROCESS_CONCURRENCY = 4;
/** Heap growth allowed between the first and the last checkpoint (after a full GC). */
const MAX_HEAP_GROWTH_BYTES = 32 * 1024 * 1024;
/** A server process answering one small sequence needs far less; more would mean it buffered what it should refuse. */
const MAX_SERVER_PEAK_RSS_BYTES = 256 * 1024 * 1024;
const CHECKPOINT_EVERY = 500;
const MAX_REPORTED_FAILURES = 5;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let world: FuzzEnvironment;
let ctx: FuzzContext;
const savedTmpdir = process.env.TMPDIR;

beforeAll(async () => {
  world = makeFuzzEnvironment();
  // os.tmpdir() (where the in-process server makes job dirs) reads TMPDIR at each call.
  process.env.TMPDIR = world.tmp;
  const [zstd, none, fingerprint] = await Promise.all([loadDataCodec('zstd'), loadDataCodec('none'), fingerprintCompiler('gcc', { env: world.env })]);
  ctx = { fingerprint, codecs: { zstd, none }, canary: world.canary };
}, 30_000);

afterAll(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  world?.remove();
});

interface Tally {
  readonly kinds: Map<string, number>;
  readonly outcomes: Map<string, number>;
  readonly failures: string[];
}

function record(tally: Tally, seed: number, index: number, sequence: FuzzSequence, seen: FuzzObservation, leftovers: string[]): void {
  tally.kinds.set(sequence.kind, (tally.kinds.get(sequence.kind) ?? 0) + 1);
  for (const frame of seen.output.frames) {
    if (frame.type === 'result') tally.outcomes.set(frame.text.split(' ')[0] as string, (tally.outcomes.get(frame.text.split(' ')[0] as string) ?? 0) + 1);
  }
  const exit = `exit ${seen.code}`;
  tally.outcomes.set(exit, (tally.outcomes.get(exit) ?? 0) + 1);
  const problems = violations(sequence, seen);
  if (leftovers.length > 0) problems.push(`left ${leftovers.join(', ')}`);
  if (problems.length > 0 && tally.failures.length < MAX_REPORTED_FAILURES) tally.failures.push(describeFailure(seed, index, sequence, problems));
}

const newTally = (): Tally => ({ kinds: new Map(), outcomes: new Map(), failures: [] });

describe(`sshcc-server under the fuzzer (seed ${SEED})`, () => {
  let before: number[] = [];
  beforeAll(() => {
    before = liveChildren();
  });

  it(`answers ${IN_PROCESS} sequences in process: exits 0 or with an error frame, leaves nothing, memory bounded`, async () => {
    const tally = newTally();
    const heap: number[] = [];
    const hooks = { exit: process.listenerCount('exit'), SIGTERM: process.listenerCount('SIGTERM') };
    const started = Date.now();
    for (let index = 0; index < IN_PROCESS; index++) {
      const sequence = generateSequence(ctx, sequenceRandom(SEED, index));
      const seen = await runInProcess(sequence, world.env);
      const leftovers = world.leftovers();
      // Where a compiler ran, it and everything it started must be gone once serve() has returned.
      if (seen.output.frames.some((frame) => /^(compiled|cancelled|timeout|limit)/.test(frame.text)) || sequence.kind.endsWith('mid-compile')) {
        if (!(await waitUntil(() => processesInside(world.tmp).length === 0, 3000))) leftovers.push(`processes ${processesInside(world.tmp).join(' ')}`);
      }
      record(tally, SEED, index, sequence, seen, leftovers);
      if (leftovers.length > 0) world.clear();
      if (tally.failures.length >= MAX_REPORTED_FAILURES) break;
      if ((index + 1) % CHECKPOINT_EVERY === 0) {
        gc();
        heap.push(process.memoryUsage().heapUsed);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    expect(tally.failures).toEqual([]);
    // Compilers and the server's watchdogs all end with their sequence.
    expect(await waitUntil(() => liveChildren(before).length === 0 && processesInside(world.tmp).length === 0, 5000)).toBe(true);
    expect(world.leftovers()).toEqual([]);
    // Every generator ran, and the control sessions compiled (checked per sequence by the oracle).
    expect([...tally.kinds.keys()].sort()).toEqual(
      [
        'argv-injection',
        'bad-data',
        'bad-hello',
        'byte-mutations',
        'cancel-mid-compile',
        'close-mid-compile',
        'hello+random-bytes',
        'huge-length',
        'out-of-order',
        'random-bytes',
        'truncated',
        'valid',
        'wrong-job-fields',
        'wrong-stream-fields',
      ].filter(
        (kind) => IN_PROCESS >= 2000 || tally.kinds.has(kind),
      ),
    );
    if (IN_PROCESS >= 2000) {
      // Refused by the gate, compiled for real, and dropped for breaking the protocol: all three happened.
      expect(tally.outcomes.get('refused') ?? 0).toBeGreaterThan(IN_PROCESS / 100);
      expect(tally.outcomes.get('compiled') ?? 0).toBeGreaterThan(IN_PROCESS / 200);
      expect(tally.outcomes.get('exit 113') ?? 0).toBeGreaterThan(IN_PROCESS / 4);
    }
    // serve() takes back the process hooks it adds (an exit hook and signal handlers) when it returns.
    expect({ exit: process.listenerCount('exit'), SIGTERM: process.listenerCount('SIGTERM') }).toEqual(hooks);
    // Memory: the heap after the last checkpoint's GC is near the first's.
    if (heap.length >= 2) expect((heap[heap.length - 1] as number) - (heap[0] as number)).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
    process.stdout.write(
      `fuzz: seed ${SEED}: ${IN_PROCESS} sequences in process in ${seconds.toFixed(1)} s (${Math.round(IN_PROCESS / seconds)}/s); ` +
        `${JSON.stringify(Object.fromEntries(tally.outcomes))}; heap ${heap.map((b) => Math.round(b / 1048576)).join(',')} MiB\n`,
    );
  }, FUZZ_TIMEOUT_MS);

  it(`answers ${PROCESSES} sequences as a child process: exit 0 or 113, no job dir, no process, bounded memory`, async () => {
    const tally = newTally();
    let peak = 0;
    let next = 0;
    const started = Date.now();
    const worker = async (): Promise<void> => {
      while (next < PROCESSES && tally.failures.length < MAX_REPORTED_FAILURES) {
        const index = PROCESS_INDEX_BASE + next++;
        const sequence = generateSequence(ctx, sequenceRandom(SEED, index));
        const seen = await runProcess(sequence, world.env);
        peak = Math.max(peak, seen.peakRssBytes ?? 0);
        // Other servers may be mid-job in the shared TMPDIR: leftovers are checked once all are done.
        record(tally, SEED, index, sequence, seen, []);
      }
    };
    await Promise.all(Array.from({ length: PROCESS_CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    expect(tally.failures).toEqual([]);
    expect(world.leftovers()).toEqual([]);
    expect(await waitUntil(() => liveChildren(before).length === 0 && processesInside(world.tmp).length === 0, 5000)).toBe(true);
    expect(tally.outcomes.get('exit 113') ?? 0).toBeGreaterThan(PROCESSES / 4);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(MAX_SERVER_PEAK_RSS_BYTES);
    process.stdout.write(
      `fuzz: seed ${SEED}: ${PROCESSES} sequences through server processes in ${seconds.toFixed(1)} s; ` +
        `${JSON.stringify(Object.fromEntries(tally.outcomes))}; peak server RSS ${Math.round(peak / 1048576)} MiB\n`,
    );
  }, FUZZ_TIMEOUT_MS);
});
