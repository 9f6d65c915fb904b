// @sshcc/protocol: the wire protocol between the agent and sshcc-server, shared by both ends.
export * from './limits';
export { ProtocolError, isProtocolError } from './protocol-error';
export { FRAME_TYPES, type FrameType, type Role } from './frame-types';
export { FrameReader, type Frame } from './frame-reader';
export { FrameWriter, encodeFrame } from './frame-writer';
export { FrameConnection, toFrameIo, type FrameIo, type FrameStream } from './frame-connection';
export { memoryChannel } from './memory-channel';
export * from './messages';
export { decodeControl } from './decode-control';
export { loadDataCodec, ZSTD_ENGINES, ZSTD_LEVEL, type DataCodec, type ZstdEngine } from './compress';
export { storedZstdFrame, withContentSize, zstdContentSize, zstdDecodeBound } from './zstd-frame';
export { dataChunks, type ByteSource } from './data-chunks';
export { packOutputs, OutputUnpacker, type OutputFile } from './output-archive';
export type { ServerOffer, Agreement } from './handshake';
export { clientHandshake, type ClientSession, type ClientOptions, type JobSpec, type RunJobOptions } from './client-session';
export { DEFAULT_JOB_DEADLINES, type JobResult, type JobTransfer, type JobStage, type JobDeadlines } from './client-job';
export { serveJobs, type ServeOptions } from './serve-jobs';
export type { IncomingJob, JobReply, JobHandler } from './server-job';
export {
  cacheKey,
  CacheKeyHasher,
  CACHE_KEY_VERSION,
  cwdReachesResult,
  dependsOnBuildTime,
  namesTimeMacro,
  recordsCommandLine,
  type CacheKeyJob,
} from './cache/cache-key';
export { mapPrefixPath, prefixMapArgs, prefixMapOf, supportsMacroPrefixMap, DEBUG_PREFIX_MAPS, MACRO_PREFIX_MAPS } from './cache/prefix-map';
export { zodIssueText } from './zod-issue';
export {
  PACK_FORMAT,
  MAX_PACK_FILES,
  MAX_PACK_BYTES,
  isPackPath,
  packIdOf,
  PackManifestSchema,
  PackFileSchema,
  type PackManifest,
  type PackFile,
} from './pack-manifest';
export type { PackReceiver } from './server-push';
export type { PushOutcome } from './client-push';
