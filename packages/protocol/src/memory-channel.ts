import { PassThrough } from 'node:stream';
import type { FrameIo } from './frame-connection';

/** Both ends of an in-process channel (tests, and an agent talking to a server in the same process). */
export function memoryChannel(): { client: FrameIo & { output: PassThrough; input: PassThrough }; server: FrameIo & { output: PassThrough; input: PassThrough } } {
  const up = new PassThrough();
  const down = new PassThrough();
  return { client: { input: down, output: up }, server: { input: up, output: down } };
}
