// Every size and count the protocol accepts, in one place, with units in the names. Both ends enforce
// them before allocating: a peer that breaks one is dropped, never trusted (compare OpenSSH's
// PACKET_MAX_SIZE and sftp-server's SFTP_MAX_MSG_LENGTH).

const KiB = 1024;
const MiB = 1024 * KiB;

/** The protocol versions this build speaks, newest last. */
export const PROTOCOL_VERSIONS = [1] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

/** `u32 length | u8 type`: length counts the payload only. */
export const FRAME_HEADER_BYTES = 5;

/**
 * Raw bytes per data frame before compression. Each data frame is one self-contained zstd frame, so
 * the receiver learns its decompressed size from the zstd header and can refuse it before inflating.
 * Measured on preprocessed C++: 256 KiB chunks lose ~3% ratio against one whole-file frame
 * (5.73x vs 5.90x) and keep the whole-file speed (packages/protocol/README.md).
 */
export const DATA_CHUNK_BYTES = 256 * KiB;

/** A compressed data frame may exceed its raw size slightly (zstd's compressBound is raw + raw/256 + 64). */
export const MAX_DATA_FRAME_BYTES = DATA_CHUNK_BYTES + 4 * KiB;

/** Hello in either direction. */
export const MAX_HELLO_BYTES = 64 * KiB;

/** A job request: compiler, fingerprint, args, env. */
export const MAX_JOB_REQUEST_BYTES = 1 * MiB;

/** A pack offer: a manifest of up to MAX_PACK_FILES paths and hashes (about 150 bytes each). */
export const MAX_PACK_OFFER_BYTES = 256 * KiB;

/** Packs a hello lists (each a 64-character id). */
export const MAX_HELLO_PACKS = 256;

/** end, cancel and error messages. */
export const MAX_SMALL_CONTROL_BYTES = 16 * KiB;

/** Compiler stdout or stderr kept per job; more than this makes the job fail with kind 'limit'. */
export const MAX_DIAGNOSTIC_BYTES = 4 * MiB;

/** A result carries stdout and stderr as base64 (4/3 of the raw size) plus a little JSON. */
export const MAX_RESULT_BYTES = 12 * MiB;

/** The largest payload of any frame type; a header announcing more is refused before the body is read. */
export const MAX_FRAME_BYTES = Math.max(
  MAX_DATA_FRAME_BYTES,
  MAX_HELLO_BYTES,
  MAX_JOB_REQUEST_BYTES,
  MAX_PACK_OFFER_BYTES,
  MAX_SMALL_CONTROL_BYTES,
  MAX_RESULT_BYTES,
);

/** Preprocessed source of one job, decompressed. */
export const MAX_JOB_SOURCE_BYTES = 256 * MiB;

/** All output files of one job together, decompressed. */
export const MAX_OUTPUT_BYTES = 256 * MiB;

/** The output tar adds a 512-byte header per file, padding and a 1 KiB trailer. */
export const MAX_OUTPUT_ARCHIVE_BYTES = MAX_OUTPUT_BYTES + 64 * KiB;

/** Output files per job: the main output plus extras such as a .dwo. */
export const MAX_OUTPUT_FILES = 8;

/** Compile arguments per job, and characters per argument. */
export const MAX_ARGS = 4096;
export const MAX_ARG_CHARS = 64 * KiB;

/** A file name inside the job dir (NAME_MAX on Linux). */
export const MAX_NAME_CHARS = 255;

/** A path such as the client's cwd (PATH_MAX on Linux). */
export const MAX_PATH_CHARS = 4096;

/** Longest compile a request may ask for; the server may cap it lower. */
export const MAX_JOB_SECONDS = 24 * 60 * 60;

/**
 * How long past a job's time limit (counted from the end of its source) a client still waits for the
 * result: the server kills the compile at the limit and answers 'timeout' at once, so silence beyond
 * this means a stuck or hostile server, and the job goes elsewhere.
 */
export const RESULT_GRACE_MS = 60 * 1000;

/** The longest a client waits for the channel to move while it sends a source or receives outputs. */
export const STALL_MS = 60 * 1000;

/**
 * A job with a cache key sends its source right behind the request when it compresses to at most this:
 * on a miss that saves the round trip for `need`, on a hit it costs the server only discarding it. At
 * this size the upload takes about as long as a round trip on a fast LAN (64 KiB at 1 Gbit/s: ~0.5 ms);
 * past it, waiting for the answer to the lookup costs less than sending bytes a hit would throw away.
 */
export const SOURCE_FOLLOWS_MAX_WIRE_BYTES = 64 * KiB;

/**
 * The longest a job waits on a volunteer for one of its slots before it is answered 'busy' (and placed
 * elsewhere). Half of STALL_MS: a client whose source is held back waits that long for any answer.
 */
export const MAX_SLOT_WAIT_MS = STALL_MS / 2;

/** Compilers a server lists in its hello. */
export const MAX_HELLO_COMPILERS = 256;

/** Longest message text in an error frame or a result's message. */
export const MAX_MESSAGE_CHARS = 2000;
