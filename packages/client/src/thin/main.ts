// Entry of the TS thin client (bundled into dist/sshcc-thin.js with built-ins only). Invoked by the
// C shim or the sh launcher as `node sshcc-thin.js <compiler argv...>`, with the facts they know in
// SSHCC_HANDOVER_* variables; run directly, it treats its arguments as the compiler command line.
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeOf, formatError } from '@sshcc/core';
import { defaultAgentLaunch } from './agent-launch';
import { takeHandover } from './handover-env';
import { localAgentPaths } from '../wire/local-agent-paths';
import { runThinClient } from './thin-client';
import { writeAll } from './write-all';

const handover = takeHandover(process.env);
const launcher = join(__dirname, 'sshcc');
// The native realpath is one syscall; the JS one lstats every path component.
const self = handover.self ?? realpathSync.native(existsSync(launcher) ? launcher : __filename);

runThinClient({
  argv: process.argv.slice(2),
  argv0: handover.argv0 ?? 'sshcc',
  self,
  env: handover.env,
  cwd: process.cwd(),
  umask: process.umask(),
  // Read only when the client goes to the agent: the early exits (SSHCC_DEPTH, a launcher's "no agent")
  // start faster without its statfs calls.
  get paths() {
    return localAgentPaths(handover.env);
  },
  launch: defaultAgentLaunch(handover.env),
  noAgent: handover.noAgent,
}).catch((err: unknown) => {
  writeAll(2, Buffer.from(`${formatError(err)}\n`));
  process.exit(exitCodeOf(err));
});
