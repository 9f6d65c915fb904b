// Named limits of the client/agent socket protocol. The agent checks every request against them
// before it allocates or parses; a client drops an answer that breaks them and compiles locally.

/** A request body: Linux caps argv + environment at a quarter of the stack limit (2 MiB by default). */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;
/** Arguments in one command line (each needs at least its NUL, so the byte cap binds first in practice). */
export const MAX_ARGC = 262_144;
/** Environment entries. */
export const MAX_ENVC = 65_536;
/** One string: Linux's MAX_ARG_STRLEN (32 pages); exec refuses anything longer anyway. */
export const MAX_STRING_BYTES = 128 * 1024;
/**
 * One agent socket frame's payload (a compile's stdout or stderr, a preprocessor's output). Not the ssh
 * channel frame's limit (@sshcc/protocol's MAX_FRAME_BYTES).
 */
export const MAX_SOCKET_FRAME_BYTES = 64 * 1024 * 1024;
/** All answer frames of one request together. */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** sun_path holds 108 bytes on Linux, one of which is the terminating NUL. */
export const SOCKET_PATH_MAX_BYTES = 107;
