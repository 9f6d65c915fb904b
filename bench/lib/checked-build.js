'use strict';
// One build of a compared variant (local, distcc, sshcc), measured (measured-build.js) and checked: sshcc's
// compiles all on the volunteer (SSHCC_LOG), distcc over TCP's all on its distccd (its log; distcc over ssh
// runs with fallback off, so a finished build is its proof), and the objects, when `compare` is given,
// equal to the local build's. A failed check throws: the figures would not be what the row says.
const path = require('node:path');
const { measuredBuild } = require('./measured-build');
const { readJobLog } = require('./sshcc');
const { requireRemote } = require('./warm-agent');

/**
 * { ms, busy, cpu, check } of `line` run in `cwd` for `variant` ({ key, label, env, agent, servers });
 * `jobs` compiles are expected; `compare()` returns compareTrees' summary or null.
 */
async function checkedBuild(ctx, { what, variant, line, cwd, jobs, agentName, distccd, compare = () => null }) {
  const jobLog = path.join(ctx.dir('scratch'), `checked-build-${Date.now()}.log`);
  const tcpBefore = distccd.completedJobs();
  const run = await measuredBuild(line, {
    cwd,
    env: variant.agent ? { ...variant.env, SSHCC_LOG: jobLog } : variant.env,
    scriptDir: ctx.dir('scratch'),
    agentPid: () => (variant.agent ? ctx.agentPid(agentName) : null),
    servers: variant.servers,
  });
  let check = variant.key === 'local' ? 'reference' : 'remote (fallback off)';
  if (variant.agent) {
    const ran = readJobLog(jobLog);
    requireRemote(`${what}, ${variant.label}`, ran, jobs);
    check = `${ran.remote}/${jobs} on the volunteer`;
  } else if (variant.key === 'distcc-tcp') {
    check = `${distccd.completedJobs() - tcpBefore}/${jobs} on distccd`;
  }
  const cmp = variant.key === 'local' ? null : compare();
  if (cmp && cmp.mismatches.length > 0) throw new Error(`${what}, ${variant.label}: objects differ from the local build: ${JSON.stringify(cmp.mismatches.slice(0, 5))}`);
  if (cmp) check += `, ${cmp.identical + cmp.equivalent}/${cmp.compared} objects match`;
  return { ms: run.ms, busy: run.busy, cpu: run.cpu, check };
}

module.exports = { checkedBuild };
