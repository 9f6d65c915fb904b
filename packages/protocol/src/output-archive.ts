// A job's output files travel as one tar stream (ustar, pax for long names), cut into data frames.
// The receiver accepts only regular files it asked for, each once, within the size limit, and checks
// each entry's declared size before reading its body.

import { createReadStream } from 'node:fs';
import { pack as tarPack, extract as tarExtract, type Extract } from 'tar-stream';
import { MAX_OUTPUT_BYTES } from './limits';
import { ProtocolError } from './protocol-error';

export interface OutputFile {
  /** Plain file name inside the archive, as the job request named it. */
  readonly name: string;
  /** Where to read it from, unless `data` holds it (an answer from the result cache). */
  readonly path?: string;
  readonly data?: Buffer;
  readonly size: number;
}

/** Fixed metadata: the archive should depend on the file contents only. */
const ENTRY_MODE = 0o644;
const ENTRY_MTIME = new Date(0);

/** The tar bytes of `files`, read from disk as they are sent. */
export async function* packOutputs(files: readonly OutputFile[]): AsyncGenerator<Buffer> {
  const archive = tarPack();
  const feeding = (async () => {
    for (const file of files) {
      await new Promise<void>((resolve, reject) => {
        const entry = archive.entry(
          { name: file.name, size: file.size, mode: ENTRY_MODE, mtime: ENTRY_MTIME, type: 'file' },
          (err) => (err ? reject(err) : resolve()),
        );
        if (file.data !== undefined) {
          entry.end(file.data);
          return;
        }
        if (file.path === undefined) throw new Error(`output ${file.name} has neither a path nor data`);
        const body = createReadStream(file.path);
        body.on('error', (err) => entry.destroy(err));
        body.pipe(entry);
      });
    }
    archive.finalize();
  })();
  feeding.catch((err: unknown) => archive.destroy(err instanceof Error ? err : new Error(String(err))));
  for await (const chunk of archive) yield chunk as Buffer;
  await feeding;
}

/** Rebuilds the files from the tar stream as data frames arrive. */
export class OutputUnpacker {
  private readonly extract: Extract = tarExtract();
  private readonly done: Promise<Map<string, Buffer>>;
  private failure: Error | null = null;

  constructor(allowedNames: readonly string[], maxBytes = MAX_OUTPUT_BYTES) {
    const allowed = new Set(allowedNames);
    this.done = this.collect(allowed, maxBytes);
    this.done.catch((err: Error) => {
      this.failure = err;
    });
  }

  write(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    this.extract.write(chunk);
  }

  async finish(): Promise<Map<string, Buffer>> {
    if (!this.failure) this.extract.end(undefined);
    return this.done;
  }

  private async collect(allowed: Set<string>, maxBytes: number): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    let total = 0;
    try {
      for await (const entry of this.extract) {
        const { name, type } = entry.header;
        const size = entry.header.size ?? 0;
        if (type !== 'file') throw new ProtocolError(`output archive holds a ${type ?? 'typeless'} entry "${name}"`);
        if (!allowed.has(name)) throw new ProtocolError(`output archive holds "${name}", which the job did not ask for`);
        if (files.has(name)) throw new ProtocolError(`output archive holds "${name}" twice`);
        if (total + size > maxBytes) {
          throw new ProtocolError(`output archive exceeds ${maxBytes} bytes at "${name}" (${size} bytes)`);
        }
        total += size;
        const parts: Buffer[] = [];
        for await (const part of entry as AsyncIterable<Buffer>) parts.push(part);
        files.set(name, Buffer.concat(parts, size));
      }
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      throw new ProtocolError(`output archive: ${(err as Error).message}`, { cause: err });
    }
    return files;
  }
}
