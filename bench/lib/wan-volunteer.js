'use strict';
// The bench's one far volunteer: testkit's startWanVolunteer (sshd in a network namespace behind a shaped
// veth, see packages/testkit/README.md), with the ssh_config + known_hosts that sshcc, distcc's ssh and
// plain ssh all read. Stopped with the rest of the run (BenchContext.close), and by testkit's exit hook.
const os = require('node:os');
const { startWanVolunteer, makeClientConfig, wanUnavailable } = require('@sshcc/testkit');

/**
 * { wan, config, alias, device } for a volunteer behind a link of `shape` ({ delayMs, rateMbit, lossPercent });
 * `extra`: more of startVolunteer's options (the packs phase hides the compilers).
 */
async function startBenchWanVolunteer(ctx, shape, extra = {}) {
  const why = wanUnavailable();
  if (why !== undefined) throw new Error(`no WAN volunteer on this machine: ${why}`);
  const wan = await startWanVolunteer({ ...shape, ...extra, env: { TMPDIR: os.tmpdir(), ...extra.env } });
  ctx.cleanups.push(() => wan.stop());
  const config = await makeClientConfig([wan.volunteer]);
  return { wan, config, alias: config.aliases[0], device: wan.link.hostVeth };
}

module.exports = { startBenchWanVolunteer };
