// The contract of host specs: what a host list says once parsed, and where it came from.

/** `localhost[/N]`: compile slots on this machine that take part in the queue like a host's. */
export interface LocalHost {
  readonly kind: 'local';
  /** The entry as written. */
  readonly spec: string;
  readonly slots: number;
}

/** `[@][user@]host[:port][/N][,option...]`: a volunteer reached over SSH (through `~/.ssh/config`). */
export interface SshHost {
  readonly kind: 'ssh';
  readonly spec: string;
  /** A name for `~/.ssh/config` / DNS, or an IP address (IPv6 without its brackets). */
  readonly host: string;
  /** `null`: whatever `~/.ssh/config` (or the local user name) says. */
  readonly user: string | null;
  /** `null`: whatever `~/.ssh/config` (or 22) says. */
  readonly port: number | null;
  readonly slots: number;
  /** zstd on payloads; on unless the entry says `nozstd`. */
  readonly compression: boolean;
  /** `,map=CLIENT:REMOTE` options, in the order written: see CompilerMapping. */
  readonly compilerMap: readonly CompilerMapping[];
}

/**
 * `,map=CLIENT:REMOTE`: a job whose compiler a build ran as CLIENT (its base name) asks this host for
 * REMOTE, and lets it answer with another build of the same release (the same version line and
 * target, other binaries), which the agent then trusts only as far as verification shows.
 */
export interface CompilerMapping {
  readonly client: string;
  readonly remote: string;
}

export type HostEntry = LocalHost | SshHost;

/** Where a host list came from. DISTCC_HOSTS is read in distcc's dialect (see parse-distcc-entry.ts). */
export type HostSource =
  | { readonly kind: 'env'; readonly name: 'SSHCC_HOSTS' | 'DISTCC_HOSTS' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'none' };

/** Something in the list that was skipped or ignored; the list is still usable. */
export interface HostWarning {
  /** The entry as written. */
  readonly token: string;
  /** One line, starting with where the entry is (`DISTCC_HOSTS: ...`, `/etc/sshcc/hosts:3: ...`). */
  readonly message: string;
}

export interface HostList {
  readonly source: HostSource;
  /** In the order written (the scheduler prefers earlier hosts unless `randomize`). An empty list means every compile runs on this machine. */
  readonly hosts: readonly HostEntry[];
  /** `--randomize`: spread jobs over hosts in random order instead of list order. */
  readonly randomize: boolean;
  /** `--localslots=N`: jobs that can only run here (links, local fallbacks) at once; `null` = the agent's default. */
  readonly localSlots: number | null;
  /** `--localslots_cpp=N`: local preprocessor runs at once; `null` = the agent's default. */
  readonly localSlotsCpp: number | null;
  readonly warnings: readonly HostWarning[];
}
