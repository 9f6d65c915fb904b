import { SshccError } from '@sshcc/core';
import type { HostKeyVerdict } from './check-host-key';
import { keyFingerprint } from './key-fingerprint';
import { keyBlobType } from './check-host-key';
import type { KnownHostsEntry } from './parse-known-hosts';

export interface HostKeyContext {
  /** The known_hosts name: `host` or `[host]:port`. */
  readonly name: string;
  /** The key the server presented. */
  readonly key: Buffer;
  /** The ssh command that reaches the same host, for the user to accept or inspect its key. */
  readonly sshCommand: string;
}

function where(entry: KnownHostsEntry): string {
  return `${entry.file}:${entry.line}`;
}

/** The error for a verdict that refuses the key; undefined when the key is trusted. */
export function hostKeyError(verdict: HostKeyVerdict, ctx: HostKeyContext): SshccError | undefined {
  const offered = `${keyBlobType(ctx.key) ?? 'key'} ${keyFingerprint(ctx.key)}`;
  switch (verdict.kind) {
    case 'trusted':
      return undefined;
    case 'unknown':
      return new SshccError('host-key', `no known_hosts entry for ${ctx.name}`, {
        hint: `run \`${ctx.sshCommand}\` once to accept its key`,
      });
    case 'changed': {
      const known = verdict.known.map((entry) => `${where(entry)} has ${keyFingerprint(entry.key)}`).join(', ');
      return new SshccError('host-key', `host key for ${ctx.name} changed: refusing`, {
        hint: `it offers ${offered}; ${known}`,
      });
    }
    case 'revoked':
      return new SshccError('host-key', `host key for ${ctx.name} is revoked (${where(verdict.entry)}): refusing`, {
        hint: `it offers ${offered}`,
      });
    case 'cert-authority':
      return new SshccError(
        'host-key',
        `host key for ${ctx.name} is vouched for by @cert-authority (${where(verdict.entry)}): sshcc does not support host certificates`,
        { hint: "list the host's own key in known_hosts" },
      );
    case 'other-types': {
      const types = [...new Set(verdict.known.map((entry) => entry.keyType))].join(', ');
      return new SshccError('host-key', `host key for ${ctx.name} is ${verdict.keyType}, but known_hosts has only ${types} for it: refusing`, {
        hint: `it offers ${offered}; run \`${ctx.sshCommand}\` to see whether the host changed`,
      });
    }
  }
}
