// Named numbers of the host grammar. distcc's defaults are kept so a DISTCC_HOSTS list means the same here.

/** Jobs sent at once to a remote host written without `/N` (distcc's default too). */
export const DEFAULT_REMOTE_SLOTS = 4;

/** Local compile slots for a bare `localhost` (distcc's default too: this machine also preprocesses and links). */
export const DEFAULT_LOCALHOST_SLOTS = 2;

/**
 * Largest `/N` (and `--localslots*` value) accepted. Each remote slot becomes a worker channel, i.e. a
 * server process on the volunteer; a typo like `/4000` should be an error, not 4000 processes.
 */
export const MAX_HOST_SLOTS = 256;

export const MAX_PORT = 65535;
