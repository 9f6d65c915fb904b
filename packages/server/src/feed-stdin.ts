import type { Readable, Writable } from 'node:stream';

/** Bytes on their way from the source to the compiler's stdin, changed as they pass (a SourceMirror). */
export interface StdinFilter {
  /** What goes to the compiler in place of `chunk`. */
  pass(chunk: Buffer): Buffer;
  /** The source has ended: the last bytes to send, once everything the compiler needs besides is ready. */
  finish(): Buffer;
}

/**
 * Feeds a job's source into the compiler's stdin as it arrives, so the compile runs while the upload
 * does. Backpressure both ways: the source pauses while the pipe is full, and a full source buffer
 * holds the client's data frames back in turn. A compiler that stops reading (it exited early: bad
 * flags) costs nothing: the rest of the source is read and dropped, so the channel stays in step.
 * Never destroys `source` (the protocol owns it). Resolves true once the whole source went in.
 * `onChunk` sees the source as it came; the compiler gets it through `filter`, if one is given.
 */
export function feedStdin(source: Readable, stdin: Writable, onChunk: (chunk: Buffer) => void, filter?: StdinFilter): Promise<boolean> {
  return new Promise((resolve) => {
    let open = true;
    stdin.on('error', () => {
      open = false;
      source.resume();
    });
    source.on('data', (chunk: Buffer) => {
      onChunk(chunk);
      if (!open || stdin.write(filter ? filter.pass(chunk) : chunk)) return;
      source.pause();
      stdin.once('drain', () => source.resume());
    });
    source.once('end', () => {
      if (open) stdin.end(filter?.finish());
      resolve(open);
    });
    source.once('error', () => {
      stdin.destroy();
      resolve(false);
    });
  });
}
