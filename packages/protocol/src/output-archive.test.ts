import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack as tarPack, type Header } from 'tar-stream';
import { OutputUnpacker, packOutputs } from '@sshcc/protocol';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-archive-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tarOf(entries: Array<[Partial<Header> & { name: string }, Buffer]>): Promise<Buffer> {
  const archive = tarPack();
  for (const [header, body] of entries) archive.entry(header, body);
  archive.finalize();
  const parts: Buffer[] = [];
  for await (const part of archive) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function unpack(bytes: Buffer, allowed: string[], maxBytes?: number): Promise<Map<string, Buffer>> {
  const unpacker = new OutputUnpacker(allowed, maxBytes);
  for (let at = 0; at < bytes.length; at += 1000) unpacker.write(bytes.subarray(at, at + 1000));
  return unpacker.finish();
}

describe('output archive', () => {
  it('round-trips files read from disk, long names included', async () => {
    const long = `${'x'.repeat(150)}.o`;
    const object = Buffer.from(Array.from({ length: 70000 }, (_, i) => i % 251));
    writeFileSync(join(dir, 'a.o'), object);
    writeFileSync(join(dir, 'a.dwo'), 'dwarf');
    writeFileSync(join(dir, long), '');
    const files = [
      { name: 'out.o', path: join(dir, 'a.o'), size: object.length },
      { name: 'out.dwo', path: join(dir, 'a.dwo'), size: 5 },
      { name: long, path: join(dir, long), size: 0 },
    ];
    const parts: Buffer[] = [];
    for await (const part of packOutputs(files)) parts.push(part);
    const outputs = await unpack(Buffer.concat(parts), ['out.o', 'out.dwo', long]);
    expect([...outputs.keys()]).toEqual(['out.o', 'out.dwo', long]);
    expect(outputs.get('out.o')).toEqual(object);
    expect(outputs.get('out.dwo')?.toString()).toBe('dwarf');
    expect(outputs.get(long)?.length).toBe(0);
  });

  it('refuses a file the job did not ask for', async () => {
    const bytes = await tarOf([[{ name: '../../.bashrc' }, Buffer.from('evil')]]);
    await expect(unpack(bytes, ['out.o'])).rejects.toThrow('output archive holds "../../.bashrc", which the job did not ask for');
  });

  it('refuses anything but a regular file', async () => {
    const bytes = await tarOf([[{ name: 'out.o', type: 'symlink', linkname: '/etc/passwd' }, Buffer.alloc(0)]]);
    await expect(unpack(bytes, ['out.o'])).rejects.toThrow('output archive holds a symlink entry "out.o"');
  });

  it('refuses the same name twice', async () => {
    const bytes = await tarOf([
      [{ name: 'out.o' }, Buffer.from('1')],
      [{ name: 'out.o' }, Buffer.from('2')],
    ]);
    await expect(unpack(bytes, ['out.o'])).rejects.toThrow('output archive holds "out.o" twice');
  });

  it('refuses an entry over the size limit from its header', async () => {
    const bytes = await tarOf([[{ name: 'out.o' }, Buffer.alloc(2000)]]);
    await expect(unpack(bytes, ['out.o'], 1000)).rejects.toThrow('output archive exceeds 1000 bytes at "out.o" (2000 bytes)');
  });

  it('refuses bytes that are not a tar archive', async () => {
    await expect(unpack(Buffer.alloc(1024, 0x41), ['out.o'])).rejects.toThrow('output archive:');
  });

  it('refuses a truncated archive', async () => {
    const bytes = await tarOf([[{ name: 'out.o' }, Buffer.alloc(5000, 1)]]);
    await expect(unpack(bytes.subarray(0, 3000), ['out.o'])).rejects.toThrow('output archive:');
  });
});
