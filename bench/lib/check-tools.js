'use strict';
// What the bench needs on this machine, checked before anything starts, with the command that fixes it.
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { SSHCC, AGENT_ENTRY, THIN_CLIENT } = require('./sshcc');

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function checkTools(options) {
  const missing = [];
  for (const [cmd, pkg] of [
    ['make', 'make'],
    ['gcc', 'gcc'],
    ['g++', 'g++'],
    ['ssh', 'openssh-client'],
    ['ss', 'iproute2'],
    ['objcopy', 'binutils'],
    ['apt-get', 'apt'],
  ]) {
    if (!has(cmd)) missing.push(`${cmd} (apt-get install ${pkg})`);
  }
  if (!fs.existsSync('/usr/sbin/sshd')) missing.push('sshd (apt-get install openssh-server)');
  const needDistcc = ['build', 'overhead', 'wan', 'perjob'].some((name) => options.phases.includes(name));
  if (needDistcc && !(has('distcc') && has('distccd'))) missing.push('distcc and distccd (apt-get install distcc)');
  if (options.phases.includes('packs')) {
    if (!has('icecc-create-env')) missing.push('icecc-create-env, the baseline of the packs phase (apt-get install icecc)');
    if (!has('clang')) missing.push('clang (apt-get install clang)');
  }
  if (options.phases.includes('perjob')) {
    if (!has('taskset')) missing.push('taskset, for the pinned variant of the perjob phase (apt-get install util-linux)');
    if (!(has('useradd') && has('userdel'))) missing.push('useradd and userdel, for the perjob phase\'s /bin/sh account (apt-get install passwd)');
    if (process.getuid() !== 0) missing.push('root, for the perjob phase (it adds a throwaway local user with useradd)');
  }
  if (!has('dpkg-source')) missing.push('dpkg-source, used by apt-get source (apt-get install dpkg-dev)');
  for (const file of [SSHCC, AGENT_ENTRY, THIN_CLIENT]) if (!fs.existsSync(file)) missing.push(`${file} (npm run build)`);
  if (missing.length > 0) throw new Error(`missing:\n  ${missing.join('\n  ')}`);
}

module.exports = { checkTools };
