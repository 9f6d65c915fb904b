import type { ClientChannel } from 'ssh2';
import { FrameReader, encodeFrame, type FrameType } from '@sshcc/protocol';

/** A control frame as a client would send it, JSON payload and all. */
export function controlFrame(type: FrameType, value: unknown): Buffer {
  return encodeFrame(type, Buffer.from(JSON.stringify(value)));
}

export interface RawExchange {
  /** Frames after the server's hello: type names, error frames as `error: <message>`. */
  readonly frames: string[];
  /** The server's exit status as sshd reports it. */
  readonly exitCode: number | null;
}

/**
 * Speaks to a server channel byte by byte: waits for its hello, lets `afterHello` write whatever it
 * likes (garbage included), then reads every frame until the channel closes.
 */
export async function rawExchange(channel: ClientChannel, afterHello: (channel: ClientChannel) => Promise<void> | void): Promise<RawExchange> {
  const exited = new Promise<number | null>((resolve) => {
    let code: number | null = null;
    channel.on('exit', (status: number | null) => (code = status));
    channel.on('close', () => resolve(code));
  });
  const reader = new FrameReader(channel, 'client');
  const hello = await reader.next();
  if (hello?.type !== 'hello') throw new Error(`expected the server's hello, got ${hello?.type ?? 'the end of the channel'}`);
  await afterHello(channel);
  const frames: string[] = [];
  for (let frame = await reader.next(); frame; frame = await reader.next()) {
    frames.push(frame.type === 'error' ? `error: ${(JSON.parse(frame.payload.toString()) as { message: string }).message}` : frame.type);
  }
  return { frames, exitCode: await exited };
}
