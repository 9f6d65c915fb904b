import type { HostChannels } from './host-channels';
import type { ChannelCloseReason, PoolEvent } from './pool-events';
import type { WorkerRecord } from './pool-worker';

// A worker's end, counted once however it comes: closed by the pool, or its channel closed by the server.

/** Bookkeeping for a worker's end, once: frees its place on its connection and says so. True the first time. */
export function markClosed<S>(h: HostChannels<S>, w: WorkerRecord<S>, reason: ChannelCloseReason, emit: (event: PoolEvent) => void): boolean {
  if (w.closed) return false;
  w.closed = true;
  const conn = h.conns.find((c) => c.id === w.connectionId);
  if (conn !== undefined) conn.channels--;
  emit({ type: 'channel-closed', hostId: h.host.spec, workerId: w.id, reason });
  return true;
}

export function closeWorker<S>(h: HostChannels<S>, w: WorkerRecord<S>, reason: ChannelCloseReason, emit: (event: PoolEvent) => void): void {
  if (markClosed(h, w, reason, emit)) w.channel.close();
}

/** Closes all of a host's connections: idle workers now, busy ones as they are released. */
export function retireHost<S>(h: HostChannels<S>, reason: ChannelCloseReason, emit: (event: PoolEvent) => void): void {
  for (const w of h.idle.splice(0)) closeWorker(h, w, reason, emit);
  for (const w of h.busy) markClosed(h, w, reason, emit);
  for (const conn of h.conns) {
    conn.retired = true;
    conn.connection?.close();
  }
}
