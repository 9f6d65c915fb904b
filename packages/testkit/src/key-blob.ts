/** Decodes the base64 blob of `type blob` into the bytes the SSH protocol carries (what ssh2's hostVerifier gets). */
export function keyBlob(publicKey: string): Buffer {
  return Buffer.from(publicKey.split(' ')[1] ?? '', 'base64');
}
