import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface KeyPair {
  privateKeyFile: string;
  /** The `.pub` line without its comment: `ssh-ed25519 AAAA...`. */
  publicKey: string;
}

/** Generates an unencrypted ed25519 key pair at `file` / `file.pub` with the real ssh-keygen. */
export async function generateKeyPair(file: string, comment: string): Promise<KeyPair> {
  await new Promise<void>((resolve, reject) => {
    execFile('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], (err, _out, stderr) =>
      err ? reject(new Error(`testkit: ssh-keygen failed for ${file}: ${stderr || err.message}`, { cause: err })) : resolve(),
    );
  });
  const [type, blob] = (await readFile(`${file}.pub`, 'utf8')).trim().split(/\s+/);
  return { privateKeyFile: file, publicKey: `${type} ${blob}` };
}
