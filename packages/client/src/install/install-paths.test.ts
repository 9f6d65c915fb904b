import { DEFAULT_SERVER_COMMAND } from '../pool';
import { installPaths, INSTALL_DIR_IN_HOME } from './install-paths';

describe('installPaths', () => {
  it('puts the launcher where the agent execs it, and the bundle where --print-sshd-config looks', () => {
    expect(INSTALL_DIR_IN_HOME).toBe('.local/lib/sshcc');
    const paths = installPaths('/home/me');
    expect(paths).toEqual({ dir: '/home/me/.local/lib/sshcc', launcher: '/home/me/.local/lib/sshcc/sshcc-server', bundle: '/home/me/.local/lib/sshcc/bin/sshcc-server.js', runtimes: '/home/me/.local/lib/sshcc/runtimes' });
    expect(paths.launcher).toBe(DEFAULT_SERVER_COMMAND.replace(/^~/, '/home/me'));
  });
});
