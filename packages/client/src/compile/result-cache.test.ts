import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobResult } from '@sshcc/protocol';
import { remoteResult } from '../events/test-scenario';
import { openAgentCache } from './result-cache';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-agent-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'a'.repeat(64);
const SPEC = { output: 'foo.o', extraOutputs: ['foo.dwo'] };
const compiled = (overrides: Partial<JobResult> = {}): JobResult => ({
  ...remoteResult(10),
  stderr: Buffer.from('foo.c:1: warning: w\n'),
  outputs: new Map([
    ['foo.o', Buffer.from('object')],
    ['foo.dwo', Buffer.from('dwarf')],
  ]),
  ...overrides,
});

describe('openAgentCache', () => {
  it('is off with SSHCC_CACHE=0', () => {
    expect(openAgentCache({ XDG_CACHE_HOME: dir, SSHCC_CACHE: '0' })).toBeNull();
  });

  it('lives in <XDG_CACHE_HOME>/sshcc/agent, apart from a volunteer store', () => {
    expect(openAgentCache({ XDG_CACHE_HOME: dir })?.results.dir).toBe(join(dir, 'sshcc', 'agent'));
  });

  it('stores a successful remote compile and answers it under the names of the job that asks', async () => {
    const cache = openAgentCache({ XDG_CACHE_HOME: dir, HOME: dir });
    if (cache === null) throw new Error('cache expected');
    expect(await cache.lookup(KEY, SPEC)).toBeNull();
    expect(await cache.store(KEY, SPEC, compiled())).toBe(true);
    const hit = await cache.lookup(KEY, { output: 'bar.o', extraOutputs: ['foo.dwo'] });
    expect(hit).toEqual({
      exitCode: 0,
      stdout: Buffer.alloc(0),
      stderr: Buffer.from('foo.c:1: warning: w\n'),
      outputs: new Map([
        ['bar.o', Buffer.from('object')],
        ['foo.dwo', Buffer.from('dwarf')],
      ]),
    });
    expect(await cache.results.stats()).toMatchObject({ hits: 1, misses: 1, stores: 1 });
  });

  it.each<[string, Partial<JobResult>]>([
    ['a failed compile', { exitCode: 1 }],
    ['a crashed compiler', { exitCode: null, signal: 'SIGSEGV' }],
    ['a refusal', { kind: 'refused', exitCode: null }],
    ['a compile without its .dwo', { outputs: new Map([['foo.o', Buffer.from('object')]]) }],
  ])('does not store %s', async (_what, overrides) => {
    const cache = openAgentCache({ XDG_CACHE_HOME: dir });
    expect(await cache?.store(KEY, SPEC, compiled(overrides))).toBe(false);
    expect(await cache?.lookup(KEY, SPEC)).toBeNull();
  });

  it('a stored entry for another number of outputs is no hit', async () => {
    const cache = openAgentCache({ XDG_CACHE_HOME: dir });
    await cache?.store(KEY, SPEC, compiled());
    expect(await cache?.lookup(KEY, { output: 'foo.o', extraOutputs: [] })).toBeNull();
  });
});
