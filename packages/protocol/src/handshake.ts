import type { FrameConnection } from './frame-connection';
import { decodeControl } from './decode-control';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from './limits';
import {
  COMPRESSIONS,
  ClientHelloSchema,
  ServerHelloSchema,
  type ClientHello,
  type Compression,
  type ServerHello,
} from './messages';
import { ProtocolError } from './protocol-error';

/** What a server says about itself in its hello (the protocol adds the versions it speaks). */
export type ServerOffer = Omit<ServerHello, 'protocols' | 'compression' | 'time'> & { readonly compression?: readonly Compression[] };

export interface Agreement {
  readonly protocol: ProtocolVersion;
  readonly compression: Compression;
}

/**
 * Server side: speak first, then accept the client's choice if it is one we offered. Null when the
 * client closes without answering (a probe that only wanted the hello).
 */
export async function exchangeServerHello(
  conn: FrameConnection,
  offer: ServerOffer,
): Promise<(Agreement & { client: string; agent: string | null }) | null> {
  const compression = offer.compression ?? COMPRESSIONS;
  // The clock is read as the hello is written: the client adds half a round trip to it.
  const hello: ServerHello = { ...offer, protocols: [...PROTOCOL_VERSIONS], compression: [...compression], time: Date.now() };
  await conn.sendControl('hello', hello);
  const frame = await conn.next();
  if (!frame) return null;
  if (frame.type !== 'hello') throw new ProtocolError(`expected a hello frame during the handshake, got ${frame.type}`);
  const chosen: ClientHello = decodeControl('hello', ClientHelloSchema, frame.payload);
  const protocol = PROTOCOL_VERSIONS.find((v) => v === chosen.protocol);
  if (protocol === undefined) {
    throw new ProtocolError(`client chose protocol ${chosen.protocol}; this server speaks ${PROTOCOL_VERSIONS.join(', ')}`);
  }
  if (!compression.includes(chosen.compression)) {
    throw new ProtocolError(`client chose compression "${chosen.compression}", which this server did not offer`);
  }
  return { protocol, compression: chosen.compression, client: chosen.client, agent: chosen.agent ?? null };
}

/**
 * Client side: read the server's hello, pick the newest common version and the preferred compression
 * if offered (else none), and say so.
 */
export async function exchangeClientHello(
  conn: FrameConnection,
  preferred: Compression,
  client: string,
  agent?: string,
): Promise<Agreement & { hello: ServerHello }> {
  const frame = await conn.expect('hello', 'the handshake');
  const hello = decodeControl('hello', ServerHelloSchema, frame.payload);
  const common = PROTOCOL_VERSIONS.filter((v) => hello.protocols.includes(v));
  const protocol = common[common.length - 1];
  if (protocol === undefined) {
    throw new ProtocolError(
      `no common protocol version: sshcc-server speaks ${hello.protocols.join(', ')}, this client ${PROTOCOL_VERSIONS.join(', ')}`,
      { hint: 'install the same sshcc version on both machines' },
    );
  }
  const compression: Compression = hello.compression.includes(preferred) ? preferred : 'none';
  const answer: ClientHello = { protocol, compression, client, ...(agent === undefined ? {} : { agent }) };
  await conn.sendControl('hello', answer);
  return { protocol, compression, hello };
}
