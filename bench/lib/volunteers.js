'use strict';
// Loopback sshd volunteers from @sshcc/testkit (the same ones the tests and the demo use), and the one
// ssh_config + known_hosts that sshcc, distcc's ssh and plain ssh all read.
const os = require('node:os');
const { startVolunteers, makeClientConfig, stopAll } = require('@sshcc/testkit');

async function startLoopbackVolunteers(count, { maxSessions, env = {} } = {}) {
  const volunteers = await startVolunteers(count, {
    env: { TMPDIR: os.tmpdir(), ...env },
    ...(maxSessions ? { maxSessions } : {}),
  });
  const config = await makeClientConfig(volunteers);
  return { volunteers, config };
}

module.exports = { startLoopbackVolunteers, stopAllVolunteers: stopAll };
