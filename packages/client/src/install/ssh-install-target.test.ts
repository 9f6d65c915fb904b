import { startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { clearSshConfigCache } from '../pool/resolve-ssh-config';
import type { InstallTarget } from './install-target';
import { sshInstallTarget } from './ssh-install-target';

let v: Volunteer;
let target: InstallTarget;

beforeAll(async () => {
  v = await startVolunteer({ subsystem: false });
  target = await sshInstallTarget({ host: v.alias }, { env: { ...process.env, SSH_AUTH_SOCK: '', SSHCC_KNOWN_HOSTS: '', SSHCC_SSH_CONFIG: v.sshConfigFile } });
});

afterAll(async () => {
  target.close();
  clearSshConfigCache();
  await stopAll();
});

describe('sshInstallTarget', () => {
  it("gives a quick command's exit status every time, also when it arrives with the exec reply", async () => {
    // sshd answers the exec request once the command runs, so a quick one's output and exit-status often
    // come in the same read as that answer: 20 runs see it happen.
    for (let i = 0; i < 20; i++) {
      await expect(target.run('echo "$1"; exit 3', [`run ${i}`])).resolves.toEqual({ code: 3, stdout: `run ${i}\n`, stderr: '' });
    }
  });
});
