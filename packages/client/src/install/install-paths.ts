import { posix } from 'node:path';
import { DEFAULT_SERVER_COMMAND } from '../pool/remote-server-command';

// Where the per-user install lives follows from the one command the agent execs
// (`~/.local/lib/sshcc/sshcc-server`), so the two cannot drift apart.

const HOME_PREFIX = '~/';
/** `.local/lib/sshcc`: the install's folder under a home dir. */
export const INSTALL_DIR_IN_HOME = posix.dirname(DEFAULT_SERVER_COMMAND.slice(HOME_PREFIX.length));
const LAUNCHER_NAME = posix.basename(DEFAULT_SERVER_COMMAND);

export interface InstallPaths {
  readonly dir: string;
  /** The sh launcher the agent execs. */
  readonly launcher: string;
  /**
   * The bundle, laid out as in the package (`bin/sshcc-server.js`): the server's
   * `--print-sshd-config` names `../bin/sshcc-server.js` from its own folder, which is then itself.
   */
  readonly bundle: string;
  /** Node runtimes sent to a volunteer without a usable node, one folder per content address. */
  readonly runtimes: string;
}

export function installPaths(home: string): InstallPaths {
  const dir = posix.join(home, INSTALL_DIR_IN_HOME);
  return { dir, launcher: posix.join(dir, LAUNCHER_NAME), bundle: posix.join(dir, 'bin', 'sshcc-server.js'), runtimes: posix.join(dir, 'runtimes') };
}
