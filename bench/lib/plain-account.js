'use strict';
// distcc over ssh as a new user would meet it: a plain account whose login shell is /bin/sh with no rc
// file to read, so each job's ssh login costs sshd and `sh -c` and nothing more (root's login here is bash,
// whose .bashrc may run anything: on the dev machine, pyenv). A throwaway local user is created, may log in
// to a loopback volunteer's sshd with that volunteer's key, and is removed at the end of the run.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runCommand } = require('./run-command');

const USER = 'sshccbsh';

function userExists(name) {
  return spawnSync('getent', ['passwd', name], { stdio: 'ignore' }).status === 0;
}

/**
 * Creates the account and lets it log in to `volunteer` (a testkit volunteer: sshd running as root, one
 * AuthorizedKeysFile for every user), reached as `alias` through `sshConfigFile`. Returns { user, whoami,
 * shell }: who a login there is and what its shell really runs, read over ssh, so a wrong account fails
 * here and not in the middle of a build.
 */
async function plainShAccount(ctx, volunteer, alias, sshConfigFile) {
  if (process.getuid() !== 0) throw new Error('a plain /bin/sh account needs root (useradd)');
  // Left by a run that was killed before its clean-up.
  if (userExists(USER)) await runCommand('userdel', ['-r', USER]);
  // -p '*': no password, but not locked ('!'): sshd without PAM refuses a locked account even a key.
  await runCommand('useradd', ['-m', '-s', '/bin/sh', '-p', '*', USER], { check: true });
  ctx.cleanups.push(async () => {
    await runCommand('userdel', ['-r', USER]);
  });
  // sshd reads authorized_keys as the user logging in; the volunteer's dir is root's (0700). Its private
  // keys stay 0600: only the directory becomes passable and the public keys readable.
  fs.chmodSync(volunteer.dir, 0o711);
  fs.chmodSync(path.join(volunteer.dir, 'authorized_keys'), 0o644);
  const { whoami, shell } = await probeLogin(sshConfigFile, alias, USER);
  if (whoami !== USER) throw new Error(`ssh as ${USER} to the volunteer logged in as ${whoami || 'nobody'}`);
  return { user: USER, whoami, shell };
}

/**
 * { whoami, shell } of an ssh login to `alias` (as `user`, else as the ssh_config says): who a distcc job's
 * session runs as and which shell runs its command. Throws when the login fails.
 */
async function probeLogin(sshConfigFile, alias, user) {
  // `; true`: a shell execs the last command of -c in place, and $$ would then be readlink itself.
  const probe = await runCommand('ssh', ['-F', sshConfigFile, ...(user ? ['-l', user] : []), alias, 'id -un; readlink /proc/$$/exe; true'], { timeoutMs: 30_000 });
  if (probe.code !== 0) throw new Error(`ssh ${user ? `as ${user} ` : ''}to ${alias} failed (${probe.code ?? probe.signal}): ${probe.stderr.trim().slice(-300)}`);
  const [whoami, shell] = probe.stdout.trim().split('\n');
  return { whoami, shell };
}

module.exports = { plainShAccount, probeLogin };
