import { createHash } from 'node:crypto';

/** `SHA256:<unpadded base64>`, the form ssh and ssh-keygen -l print. */
export function keyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
