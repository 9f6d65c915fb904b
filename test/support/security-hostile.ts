// Builds the hostile volunteer (security-hostile-server.ts) into one JavaScript file that sshd can run as
// `Subsystem sshcc`: esbuild bundles it with the workspace packages' sources; zod, zstd-codec and tar-stream
// stay outside (46 KB instead of 7 MB, so it starts fast) and are found through NODE_PATH.

import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const REPO = resolve(__dirname, '../..');

/** Writes the bundle into `dir`; returns the command line that runs it. */
export function buildHostileServer(dir: string): string {
  const outfile = join(dir, 'hostile-server.js');
  buildSync({
    entryPoints: [join(__dirname, 'security-hostile-server.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    external: ['zod', 'zstd-codec', '@toondepauw/node-zstd', 'tar-stream'],
    alias: Object.fromEntries(['core', 'protocol'].map((name) => [`@sshcc/${name}`, join(REPO, 'packages', name, 'src', 'index.ts')])),
  });
  return `env NODE_PATH=${join(REPO, 'node_modules')} ${process.execPath} ${outfile}`;
}
