'use strict';
// One build (a shell command line, run by bash) measured on every side: its wall time, the CPU of
// everything it started (bash `times`), the sshcc agent's own CPU and its reaped children's (/proc), and
// the CPU of the server side's process trees (the volunteer's sshd, or distccd) taken before and after.
const { timedLoop } = require('./timed-loop');
const { treeCpu, treeCpuDelta, treeCpuByName } = require('./tree-cpu');
const { cpuTimes, cpuDelta } = require('./proc-stat');
const { cpuSnapshot, busyFraction } = require('./cpu-busy');

const NONE = { selfMs: 0, childrenMs: 0 };

/**
 * { ms, busy, stderr, cpu: { build, agent, cpp, server, serverByName } } (CPU in ms). `agentPid()` is
 * asked before and after: an agent the build itself started (a cold start) is charged whole to it.
 */
async function measuredBuild(line, { cwd, env, scriptDir, agentPid = () => null, servers = [] }) {
  const before = cpuSnapshot();
  const serversBefore = treeCpu(servers);
  const pidBefore = agentPid();
  const agentBefore = pidBefore ? cpuTimes(pidBefore) : NONE;
  const loop = await timedLoop([line], { cwd, env, scriptDir });
  const pid = agentPid();
  const agent = pid ? cpuDelta(pid === pidBefore ? agentBefore : NONE, cpuTimes(pid)) : NONE;
  const serversAfter = treeCpu(servers);
  return {
    ms: loop.wallMs,
    busy: busyFraction(before, cpuSnapshot()),
    stderr: loop.stderr,
    cpu: {
      build: loop.childCpuMs,
      agent: agent.selfMs,
      cpp: agent.childrenMs,
      server: treeCpuDelta(serversBefore, serversAfter),
      serverByName: treeCpuByName(serversBefore, serversAfter),
    },
  };
}

/** CPU on this machine's client side (make's tree, the agent, its reaped children) and in total. */
function clientCpu(cpu) {
  return cpu.build + cpu.agent + cpu.cpp;
}

module.exports = { measuredBuild, clientCpu };
