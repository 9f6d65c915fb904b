// `match: 'release'` (the host list's `,map=`) through the built sshcc-server: another build of the
// client's release compiles the job and the result names it; an exact match still wins; a job that does
// not ask, or a compiler of another release, is refused as before; nothing it compiles enters the cache.
import { join } from 'node:path';
import type { JobSpec } from '@sshcc/protocol';
import { fingerprintCompiler, ResultStore } from '@sshcc/store';
import { gccJobSpec } from './test-job-spec';
import { cleanUp, connect, startServer, testRoot } from './test-server';

afterEach(cleanUp);

const SOURCE = Buffer.from('int answer(int x) { return x * 42; }\n');
const OTHER_BUILD = 'f'.repeat(64);

/**
 * A job from a client whose gcc is another build of this machine's release: the same version line and
 * target, another driver binary (as the same gcc built for another CPU would be).
 */
async function otherBuildJob(root: string, fields: Partial<JobSpec> = {}): Promise<JobSpec> {
  const spec = await gccJobSpec(root, { input: 'answer.c', output: 'answer.o', sourceBytes: SOURCE.length, ...fields });
  return { ...spec, fingerprint: { ...spec.fingerprint, driver: OTHER_BUILD } };
}

describe("sshcc-server: a job that accepts another build of the client's release", () => {
  it('runs the named compiler and says which build it was; the object is what gcc here gives', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const result = await session.runJob({ ...(await otherBuildJob(root)), match: 'release' }, SOURCE);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0, releaseMatch: await fingerprintCompiler('gcc') });
    const exact = await session.runJob(await gccJobSpec(root, { input: 'answer.c', output: 'answer.o', sourceBytes: SOURCE.length }), SOURCE);
    expect(exact.releaseMatch).toBeNull();
    expect(result.outputs.get('answer.o')).toEqual(exact.outputs.get('answer.o'));
  });

  it('prefers an exact match: the same job from a client with this very gcc names no release match', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const spec = await gccJobSpec(root, { input: 'answer.c', output: 'answer.o', sourceBytes: SOURCE.length });
    expect(await session.runJob({ ...spec, match: 'release' }, SOURCE)).toMatchObject({ kind: 'compiled', exitCode: 0, releaseMatch: null });
  });

  it('without match: release, another build is a compiler-mismatch, as before', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const result = await session.runJob(await otherBuildJob(root), SOURCE);
    expect(result.kind).toBe('compiler-mismatch');
    expect(result.message).toMatch(/^gcc: driver binary differs \(sha256 ffffffffffff on the client, [0-9a-f]{12} here\)$/);
  });

  it.each<[string, (fingerprint: JobSpec['fingerprint']) => JobSpec['fingerprint'], RegExp]>([
    ['another version', (f) => ({ ...f, version: `${f.version}.1` }), /^gcc: version ".*\.1" on the client, ".*" here$/],
    ['another target', (f) => ({ ...f, target: 'aarch64-linux-gnu' }), /^gcc: target aarch64-linux-gnu on the client, .* here$/],
  ])('refuses %s even with match: release', async (_what, change, message) => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const spec = await otherBuildJob(root);
    const result = await session.runJob({ ...spec, fingerprint: change(spec.fingerprint), match: 'release' }, SOURCE);
    expect(result.kind).toBe('compiler-mismatch');
    expect(result.message).toMatch(message);
  });

  it('neither stores nor looks up: its object must not answer a later client that accepts only that build', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    expect(session.hello.cache).toBe(true);
    const spec = await otherBuildJob(root);
    expect(await session.runJob({ ...spec, match: 'release' }, SOURCE)).toMatchObject({ kind: 'compiled', cached: false });
    expect(await session.runJob({ ...spec, match: 'release' }, SOURCE)).toMatchObject({ kind: 'compiled', cached: false });
    expect((await session.runJob(spec, SOURCE)).kind).toBe('compiler-mismatch');
    await session.close();
    expect(await new ResultStore({ dir: join(root, 'cache', 'sshcc', 'volunteer') }).stats()).toMatchObject({ stores: 0, entries: 0 });
  });
});
