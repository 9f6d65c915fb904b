import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JobWorkspace } from './job-workspace';
import { sweepSync } from './sandbox';

afterEach(() => sweepSync());

describe("a channel's workspace", () => {
  it('is one dir for every job; each job ends leaving only the mirror', async () => {
    const workspace = new JobWorkspace();
    const first = await workspace.begin();
    const at = first.mirror.at('/home/me/proj');
    first.ranIn(at.cwd);
    expect(first.mirror.write(at, [{ path: 'a.c', text: Buffer.from('int a;\n') }])).toBe(true);
    writeFileSync(join(at.cwd, 'a.o'), 'object');
    writeFileSync(join(first.work, 'ccTEMP.s'), 'asm');
    mkdirSync(join(first.work, 'sub'));
    await first.end();
    expect(readdirSync(first.work)).toEqual([]);
    expect(readdirSync(at.cwd)).toEqual(['a.c']);

    const second = await workspace.begin();
    expect(second.work).toBe(first.work);
    await second.end();
  });

  it('ends the last job, if nothing else did, before the next begins', async () => {
    const workspace = new JobWorkspace();
    const first = await workspace.begin();
    writeFileSync(join(first.work, 'first.o'), 'x');
    const second = await workspace.begin();
    expect(readdirSync(second.work)).toEqual([]);
    await second.end();
  });

  it('is made again when it went meanwhile (a sweep of an idle one, a user)', async () => {
    const workspace = new JobWorkspace();
    const first = await workspace.begin();
    await first.end();
    rmSync(dirname(first.work), { recursive: true, force: true });
    const second = await workspace.begin();
    expect(second.work).not.toBe(first.work);
    expect(existsSync(second.work)).toBe(true);
    await second.end();
  });
});
