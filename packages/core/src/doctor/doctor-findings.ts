import type { SshccErrorCode } from '../errors';
import type { HostSource } from '../hosts';
import type { ClockSkew } from './clock-skew';

// What `sshcc doctor` found, as plain facts gathered by the client (files, PATH, ssh). diagnose() turns
// them into problems, each with the command that fixes it; nothing here is judged yet.

export interface HostListFinding {
  /** Where the list came from (`none` when nothing was set). */
  readonly source: HostSource;
  /** Every place looked at, in order. */
  readonly searched: readonly HostSource[];
  /** The list could not be read or parsed: the one line sshcc prints for it. */
  readonly error: string | null;
  /** Entries skipped with a warning (a DISTCC_HOSTS entry sshcc cannot use). */
  readonly warnings: readonly string[];
  /** Remote (ssh) hosts in the list; `localhost` entries are not counted. */
  readonly remoteHosts: number;
}

/** How the ssh command line reaches a host, for the commands that fix it. */
export interface SshTargetFinding {
  readonly host: string;
  readonly user: string | null;
  readonly port: number | null;
}

/** One compiler name the volunteer offers, compared with the same name here (sshcc ping's statuses). */
export interface CompilerFinding {
  readonly name: string;
  readonly status: 'match' | 'mismatch' | 'not-here' | 'missing-there' | 'refused' | 'failed';
  /** Why, for every status but `match`. */
  readonly detail: string | null;
}

export interface HostFinding {
  /** The host spec as the list wrote it. */
  readonly spec: string;
  readonly target: SshTargetFinding;
  /** Why checking it failed: no server reached (then `server` is null), or a probe after its hello. */
  readonly failure: { readonly code: SshccErrorCode; readonly message: string } | null;
  /** null: not tried (an earlier stage failed). */
  readonly reachable: boolean | null;
  readonly authOk: boolean | null;
  /** The volunteer's sshcc-server, when one answered. */
  readonly server: {
    readonly version: string;
    /** Why the agent would push no toolchain pack there; null when it would. */
    readonly noPush: string | null;
  } | null;
  readonly compilers: readonly CompilerFinding[];
  /** null: not measured (no server, or one too old to send its time). */
  readonly clock: ClockSkew | null;
}

export interface ClientFinding {
  /** The sshcc this doctor belongs to, and what it is. */
  readonly self: { readonly path: string; readonly kind: SshccKind };
  /** The first `sshcc` on PATH; null when there is none. */
  readonly onPath: { readonly path: string; readonly kind: SshccKind; readonly sameAsSelf: boolean } | null;
  /** The C compiler the build makes the shim with (`$CC`, else `cc`) as PATH finds it; null when none is found. */
  readonly cc: { readonly name: string; readonly path: string | null };
}

/** The C shim, the sh launcher that runs the TypeScript client (the shim did not build), or neither. */
/** `package`: an installed package's launcher, which runs the C shim it compiled on first use. */
export type SshccKind = 'shim' | 'launcher' | 'package' | 'missing' | 'other';

/** A folder of masquerade links (links named like compilers that lead to sshcc). */
export interface MasqueradeFinding {
  readonly dir: string;
  /** Its first place on PATH (0-based); null when PATH does not list it. */
  readonly pathIndex: number | null;
  readonly links: readonly MasqueradeLinkFinding[];
  /** Real compilers of the same names that PATH lists before the folder, so a build finds them first. */
  readonly shadowedBy: readonly { readonly name: string; readonly path: string }[];
  /** A ccache masquerade folder PATH lists after this one (sshcc would run ccache as the compiler). */
  readonly ccacheAfter: string | null;
}

export interface MasqueradeLinkFinding {
  readonly name: string;
  readonly path: string;
  /** `self`: this sshcc; `other-sshcc`: another build; `elsewhere`: not sshcc; `dangling`: a broken link. */
  readonly state: 'self' | 'other-sshcc' | 'elsewhere' | 'dangling' | 'absent';
  /** Where it leads (readlink), for messages. */
  readonly target: string | null;
}

export interface DoctorFindings {
  readonly hostList: HostListFinding;
  readonly hosts: readonly HostFinding[];
  readonly client: ClientFinding;
  readonly masquerade: readonly MasqueradeFinding[];
  /** The PATH this machine's builds see. */
  readonly path: readonly string[];
  /** SSHCC_PACKS is not 0: the agent pushes a toolchain pack where a volunteer lacks a compiler. */
  readonly packsEnabled: boolean;
  /** The known_hosts file sshcc reads first (SSHCC_KNOWN_HOSTS's first, else ~/.ssh/known_hosts). */
  readonly knownHostsFile: string;
}
