// Like ssh (sshconnect2.c order_hostkeyalgs), ask first for the key types known_hosts already holds for
// the host: a server with several host keys then shows the one we can check, not a "changed" one.

/** What sshcc accepts as server host key algorithms, in ssh2's default preference (no SHA-1 ssh-rsa, no DSA). */
export const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
] as const;

export type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number];

function algorithmsForKeyType(keyType: string): HostKeyAlgorithm[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256'];
  return HOST_KEY_ALGORITHMS.filter((algorithm) => algorithm === keyType);
}

/** HOST_KEY_ALGORITHMS with the algorithms for `knownTypes` moved to the front (in known_hosts order). */
export function orderHostKeyAlgorithms(knownTypes: readonly string[]): HostKeyAlgorithm[] {
  const first = knownTypes.flatMap(algorithmsForKeyType);
  return [...new Set([...first, ...HOST_KEY_ALGORITHMS])];
}
