import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, journalPath, OutputTemps, processOwner, sweepDeadOwners, tempOwnerOf, type TempOwner } from './output-temps';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-output-temps-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const me = processOwner() as TempOwner;
/** A process that ran and is gone: a pid and start time nobody has now. */
const gone: TempOwner = (() => {
  const run = spawnSync('/bin/sh', ['-c', 'echo $$ $(cut -d" " -f22 /proc/$$/stat)'], { encoding: 'utf8' });
  const [pid, start] = run.stdout.trim().split(' ');
  return { pid: Number(pid), start: start as string };
})();

describe('temp names', () => {
  it('name their owner, by pid and start time, and nothing else is taken for one', () => {
    const temps = new OutputTemps(me, null);
    const path = temps.tempPath('/obj/a.o');
    expect(path).toMatch(new RegExp(`^/obj/\\.a\\.o\\.sshcc-${me.pid}-${me.start}-\\d+\\.tmp$`));
    expect(tempOwnerOf(path.slice('/obj/'.length))).toEqual(me);
    expect(temps.tempPath('/obj/a.o')).not.toBe(path);
    expect(tempOwnerOf('.a.o.sshcc-0123456789ab.tmp')).toBeNull(); // an older sshcc's: no owner
    expect(tempOwnerOf('a.o')).toBeNull();
  });

  it('cut a long target name, so the temp stays within 255 bytes', () => {
    const name = 'é'.repeat(120);
    const temp = new OutputTemps(me, null).tempPath(`/obj/${name}.o`).slice('/obj/'.length);
    expect(Buffer.byteLength(temp)).toBeLessThanOrEqual(255);
    expect(tempOwnerOf(temp)).toEqual(me);
  });
});

describe('isAlive', () => {
  it('knows this process, and not a pid whose start time differs (the pid was reused) or that is gone', () => {
    expect(isAlive(me)).toBe(true);
    expect(isAlive({ pid: me.pid, start: String(Number(me.start) + 1) })).toBe(false);
    expect(isAlive(gone)).toBe(false);
  });
});

describe('the journal', () => {
  it('names a folder before its first temp, once, and goes at close when nothing is in flight', () => {
    const journal = journalPath(join(dir, 'agent.temps'), me);
    const temps = new OutputTemps(me, journal);
    const done = temps.begin(['/obj', '/obj', '/dwo']);
    expect(readFileSync(journal, 'utf8')).toBe('"/obj"\n"/dwo"\n');
    temps.close();
    expect(existsSync(journal)).toBe(true); // a write is in flight
    done();
    temps.begin(['/obj'])();
    expect(readFileSync(journal, 'utf8')).toBe('"/obj"\n"/dwo"\n');
    temps.close();
    expect(existsSync(journal)).toBe(false);
  });

  it('is emptied once it has grown long and nothing is in flight', () => {
    const journal = journalPath(join(dir, 'agent.temps'), me);
    const temps = new OutputTemps(me, journal);
    for (let i = 0; i < 300; i++) temps.begin([`/obj/${i}`])();
    expect(readFileSync(journal, 'utf8').split('\n').length).toBeLessThan(100);
    temps.begin(['/obj/0'])();
    expect(readFileSync(journal, 'utf8')).toContain('"/obj/0"\n');
  });
});

describe('sweepDeadOwners', () => {
  it("removes a dead agent's temps from the folders its journal names, then the journal; a live owner's and other files stay", async () => {
    const base = join(dir, 'agent.temps');
    const objects = join(dir, 'obj');
    const elsewhere = join(dir, 'not-journaled');
    mkdirSync(objects);
    mkdirSync(elsewhere);
    const dead = new OutputTemps(gone, journalPath(base, gone));
    const live = new OutputTemps(me, journalPath(base, me));
    dead.begin([objects, join(dir, 'removed-since')]);
    live.begin([objects]);
    const deadTemp = dead.tempPath(join(objects, 'a.o'));
    const liveTemp = live.tempPath(join(objects, 'b.o'));
    const unjournaled = dead.tempPath(join(elsewhere, 'c.o'));
    for (const file of [deadTemp, liveTemp, unjournaled, join(objects, 'a.o'), join(objects, '.a.o.sshcc-0123456789ab.tmp')]) writeFileSync(file, 'x');

    const sweep = await sweepDeadOwners(base);
    expect(sweep).toEqual({ removed: [deadTemp], journals: 1, unreadable: [] });
    expect(readdirSync(objects).sort()).toEqual(['.a.o.sshcc-0123456789ab.tmp', liveTemp.slice(objects.length + 1), 'a.o'].sort());
    expect(readdirSync(elsewhere)).toHaveLength(1);
    expect(readdirSync(dir).filter((name) => name.startsWith('agent.temps-'))).toEqual([`agent.temps-${me.pid}-${me.start}`]);
    expect(await sweepDeadOwners(base)).toEqual({ removed: [], journals: 0, unreadable: [] });
  });

  it('reads a journal cut short mid-line, and finds nothing to do without one', async () => {
    const base = join(dir, 'agent.temps');
    const objects = join(dir, 'obj');
    mkdirSync(objects);
    const dead = new OutputTemps(gone, null);
    writeFileSync(journalPath(base, gone), `${JSON.stringify(objects)}\n"/half-writ`);
    writeFileSync(dead.tempPath(join(objects, 'a.o')), 'x');
    expect((await sweepDeadOwners(base)).removed).toHaveLength(1);
    expect(await sweepDeadOwners(join(dir, 'no-such-folder', 'agent.temps'))).toEqual({ removed: [], journals: 0, unreadable: [] });
  });
});
