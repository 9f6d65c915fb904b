import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobLeftovers } from '@sshcc/testkit';
import { slowJobSpec } from './test-job-spec';
import { cleanUp, connect, processesIn, slowSource, startServer, testRoot, waitUntil } from './test-server';

afterEach(cleanUp);

const SLOW = Buffer.from(slowSource());
const TINY = Buffer.from('int tiny;\n');

describe('sshcc-server stops compiles', () => {
  it("kills the compiler and removes the job's files on cancel, then serves the next job", async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const spec = await slowJobSpec(root);
    const controller = new AbortController();
    const running = session.runJob(spec, SLOW, { signal: controller.signal });
    expect(await waitUntil(() => processesIn(server.tmp).length > 0)).toBe(true);
    const cancelledAt = Date.now();
    controller.abort(new Error('make: *** interrupted'));
    await expect(running).rejects.toThrow('make: *** interrupted');
    expect(await waitUntil(() => processesIn(server.tmp).length === 0 && jobLeftovers(server.tmp).length === 0)).toBe(true);
    expect(Date.now() - cancelledAt).toBeLessThan(2000);
    const next = await session.runJob(spec, TINY);
    expect(next).toMatchObject({ id: 2, kind: 'compiled', exitCode: 0 });
    expect(jobLeftovers(server.tmp)).toEqual([]);
  });

  it('kills the compiler and exits when the channel closes mid-compile', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const running = session.runJob(await slowJobSpec(root), SLOW);
    expect(await waitUntil(() => processesIn(server.tmp).length > 0)).toBe(true);
    await session.close();
    await expect(running).rejects.toThrow('channel closed during job 1');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(processesIn(server.tmp)).toEqual([]);
    expect(readdirSync(server.tmp)).toEqual([]);
  });

  it.each(['SIGTERM', 'SIGHUP'] as const)('kills the compiler and removes the job dir on %s', async (signal) => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const running = session.runJob(await slowJobSpec(root), SLOW);
    expect(await waitUntil(() => processesIn(server.tmp).length > 0)).toBe(true);
    server.child.kill(signal);
    await expect(running).rejects.toThrow('channel closed during job 1 (its compile)');
    expect((await server.exited).code).toBe(0);
    expect(processesIn(server.tmp)).toEqual([]);
    expect(readdirSync(server.tmp)).toEqual([]);
  });

  it("stops a compile at the config's maxJobSeconds and answers timeout", async () => {
    const root = testRoot();
    writeFileSync(join(root, 'config', 'sshcc', 'server.json'), '{"maxJobSeconds": 1}');
    const server = startServer(root);
    const session = await connect(server);
    const started = Date.now();
    const result = await session.runJob(await slowJobSpec(root), SLOW);
    expect(result).toMatchObject({ kind: 'timeout', exitCode: null, message: 'the compile ran past 1 s' });
    expect(result.outputs.size).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(processesIn(server.tmp)).toEqual([]);
    expect(jobLeftovers(server.tmp)).toEqual([]);
  });
});
