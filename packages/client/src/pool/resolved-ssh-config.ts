// What sshcc needs from the user's ssh configuration for one destination, whichever way it was read
// (`ssh -G` or the ssh-config package). Paths may still hold `~`, `%` tokens and `${VAR}` until
// expandResolvedPaths() runs.

/** ssh -G prints yes/no as true/false; both spellings land here as 'yes'/'no'. */
export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

export interface ResolvedSshConfig {
  /** The name as given (an alias in ~/.ssh/config, a DNS name, or an address). */
  readonly host: string;
  /** Where to connect: HostName, or the name itself. */
  readonly hostname: string;
  readonly user: string;
  readonly port: number;
  /** In ssh's order. ssh lists its default keys here when the config names none. */
  readonly identityFiles: readonly string[];
  readonly identitiesOnly: boolean;
  /** The raw ProxyJump value (`a,b`, `user@host:port`); absent when unset or `none`. */
  readonly proxyJump?: string;
  /** Present only so it can be refused clearly: sshcc connects with its own sockets. */
  readonly proxyCommand?: string;
  /** Seconds. */
  readonly connectTimeout?: number;
  /** Seconds; absent when unset or 0. */
  readonly serverAliveInterval?: number;
  readonly serverAliveCountMax?: number;
  readonly userKnownHostsFiles: readonly string[];
  readonly globalKnownHostsFiles: readonly string[];
  readonly strictHostKeyChecking: StrictHostKeyChecking;
  /** Absent: use $SSH_AUTH_SOCK. `none`: no agent. Otherwise a socket path or `$VAR`/`SSH_AUTH_SOCK`. */
  readonly identityAgent?: string;
  /** The name looked up in known_hosts instead of the host name. */
  readonly hostKeyAlias?: string;
}
