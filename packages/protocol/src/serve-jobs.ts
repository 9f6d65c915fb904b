import { loadDataCodec, type DataCodec } from './compress';
import { decodeControl } from './decode-control';
import { FrameConnection, toFrameIo, type FrameStream } from './frame-connection';
import type { Frame } from './frame-reader';
import { exchangeServerHello, type ServerOffer } from './handshake';
import { CancelSchema, EndSchema, JobRequestSchema } from './messages';
import { ProtocolError } from './protocol-error';
import { ServerJob, type JobHandler } from './server-job';
import { PackOfferSchema } from './pack-manifest';
import { ServerPush, type PackReceiver } from './server-push';

export interface ServeOptions {
  /** What the hello says about this server. */
  readonly offer: ServerOffer;
  readonly handler: JobHandler;
  /** Where pushed toolchain packs go; without it every push is refused (and the hello lists no packs). */
  readonly packs?: PackReceiver | null;
  /** Aborting stops serving: the running job is stopped and released, nothing more is sent. */
  readonly signal?: AbortSignal;
}

/**
 * The server's side of a channel: hello, then jobs one after another until the client closes the
 * channel. Resolves at a clean end of stream (or on abort); rejects with a ProtocolError after
 * telling the client why when the client breaks the protocol. Either way the running job, if any,
 * has been stopped and released when it settles.
 */
export async function serveJobs(stream: FrameStream, options: ServeOptions): Promise<void> {
  const conn = new FrameConnection(toFrameIo(stream), 'server');
  // A job or a pack push: one at a time per channel, numbered from the same sequence.
  let current: ServerJob | ServerPush | null = null;
  let lastId = 0;
  const stopped = abortPromise(options.signal);
  try {
    const agreed = await Promise.race([exchangeServerHello(conn, options.offer), stopped]);
    if (!agreed) return;
    const codec = await loadDataCodec(agreed.compression);
    for (;;) {
      const frame = await Promise.race([conn.next(), stopped]);
      if (!frame) return;
      await dispatch(frame, codec, agreed.agent);
    }
  } catch (err) {
    throw conn.abandon(err);
  } finally {
    const job = current as ServerJob | ServerPush | null;
    if (job) {
      job.onChannelGone(options.signal?.aborted ? 'sshcc-server is shutting down' : 'the channel closed');
      await job.settled;
    }
    conn.endOutput();
  }

  async function dispatch(frame: Frame, codec: DataCodec, agent: string | null): Promise<void> {
    switch (frame.type) {
      case 'job': {
        const request = decodeControl('job', JobRequestSchema, frame.payload);
        if (current) throw new ProtocolError(`job ${request.id} sent while job ${current.id} is still open`);
        if (request.id <= lastId) throw new ProtocolError(`job id ${request.id} is not above the previous ${lastId}`);
        lastId = request.id;
        const job: ServerJob = new ServerJob(
          request,
          conn,
          codec,
          options.handler,
          () => {
            if (current === job) current = null;
          },
          options.offer.cache === true,
          agent,
        );
        current = job;
        return;
      }
      case 'pack': {
        const offer = decodeControl('pack', PackOfferSchema, frame.payload);
        if (current) throw new ProtocolError(`pack push ${offer.id} sent while ${current.id} is still open`);
        if (offer.id <= lastId) throw new ProtocolError(`pack push id ${offer.id} is not above the previous ${lastId}`);
        lastId = offer.id;
        const push: ServerPush = new ServerPush(offer, conn, options.packs ?? null, () => {
          if (current === push) current = null;
        });
        current = push;
        return;
      }
      case 'data':
        if (!current) throw new ProtocolError('data frame outside a job');
        return current.onData(frame.payload);
      case 'end': {
        const { id, bytes } = decodeControl('end', EndSchema, frame.payload);
        if (!current || current.id !== id) throw new ProtocolError(`end of job ${id}, which is not open`);
        return current.onEnd(bytes);
      }
      case 'cancel': {
        const { id } = decodeControl('cancel', CancelSchema, frame.payload);
        // A cancel may cross the job's end on the wire: cancelling a finished job is a no-op.
        if (current?.id === id && current instanceof ServerJob) current.onCancel();
        else if (id > lastId) throw new ProtocolError(`cancel of job ${id}, which was never sent`);
        return;
      }
      default:
        throw new ProtocolError(`unexpected ${frame.type} frame after the handshake`);
    }
  }
}

/** Resolves to null once `signal` aborts; never settles without one. */
function abortPromise(signal: AbortSignal | undefined): Promise<null> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve(null);
    else signal.addEventListener('abort', () => resolve(null), { once: true });
  });
}
