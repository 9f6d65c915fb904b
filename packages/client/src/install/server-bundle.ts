import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SshccError } from '@sshcc/core';

/** What packages/server/build/bundle-server.js writes (`npm run build`). */
const BUNDLE_IN_PACKAGE = join('dist', 'bundle', 'sshcc-server.js');

export interface ServerBundle {
  readonly path: string;
  readonly bytes: Buffer;
}

/**
 * The one-file sshcc-server this client installs on volunteers: `packaged` (the installed sshcc
 * package's own, the same file as its `sshcc-server`) where it exists, else the checkout's build.
 */
export function loadServerBundle(packaged: string): ServerBundle {
  try {
    return { path: packaged, bytes: readFileSync(packaged) };
  } catch {
    // not an installed package: a checkout
  }
  let path = packaged;
  try {
    path = join(dirname(require.resolve('@sshcc/server/package.json')), BUNDLE_IN_PACKAGE);
    return { path, bytes: readFileSync(path) };
  } catch (err) {
    throw new SshccError('config', `the server bundle ${path} is missing`, { hint: 'run "npm run build" first', cause: err });
  }
}
