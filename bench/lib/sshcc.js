'use strict';
// Driving sshcc the way a build does: CC="<repo>/node_modules/.bin/sshcc gcc" with SSHCC_* variables,
// the agent started by the first compile (or by us, in the foreground, when profiling), and
// `sshcc agent stop` with the same environment at the end.
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { isAlive } = require('./proc-stat');

const ROOT = path.resolve(__dirname, '..', '..');
const SSHCC = path.join(ROOT, 'node_modules', '.bin', 'sshcc');
const CLIENT_DIST = path.join(ROOT, 'packages', 'client', 'dist');
const AGENT_ENTRY = path.join(CLIENT_DIST, 'agent', 'main.js');
const THIN_CLIENT = path.join(CLIENT_DIST, 'sshcc-thin.js');

/**
 * The environment of a build through sshcc: its own agent dir, host list and ssh files, and its own
 * result cache (never the user's). The cache is off (SSHCC_CACHE=0: the agent's and the volunteers'):
 * these builds measure distribution; the variants about the cache turn it on with `cacheOn`.
 */
function sshccEnv({ agentDir, hosts, clientConfig, base = process.env }) {
  return {
    ...base,
    ...clientConfig.env,
    SSHCC_DIR: agentDir,
    SSHCC_HOSTS: hosts,
    XDG_CACHE_HOME: path.join(agentDir, 'cache'),
    SSHCC_CACHE: '0',
    // The bench stops its agents itself. Long enough that a warm agent stays warm between rounds (a
    // distcc-over-ssh build in between can take minutes), short enough that one outliving a killed
    // bench goes away by itself.
    SSHCC_AGENT_IDLE: '900',
  };
}

/** The agent's pid file, where the client itself looks (SSHCC_DIR, or a fallback for long paths). */
function agentPidFile(env) {
  const { localAgentPaths } = require(path.join(CLIENT_DIST, 'wire', 'local-agent-paths.js'));
  return localAgentPaths(env).pidFile;
}

function agentPid(env) {
  try {
    const pid = Number(fs.readFileSync(agentPidFile(env), 'utf8').trim());
    return pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Stops the agent of this environment (if any) and waits until its process is gone. */
async function stopAgent(env) {
  const pid = agentPid(env);
  spawnSync(SSHCC, ['agent', 'stop'], { env, stdio: 'ignore', timeout: 30_000 });
  const deadline = Date.now() + 10_000;
  while (pid !== null && isAlive(pid) && Date.now() < deadline) await sleep(50);
}

/**
 * Starts the agent ourselves, in the foreground of a child process, so it can run under
 * `node --cpu-prof` (it writes the profile when it exits, i.e. at stopAgent()).
 */
async function startProfiledAgent(env, profileDir, name) {
  fs.mkdirSync(profileDir, { recursive: true });
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`, AGENT_ENTRY], {
    env,
    cwd: '/',
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  const deadline = Date.now() + 15_000;
  while (agentPid(env) === null) {
    if (Date.now() > deadline) throw new Error('the profiled agent did not start');
    await sleep(50);
  }
  return child.pid;
}

/** The same environment with both result caches on. */
function cacheOn(env) {
  const { SSHCC_CACHE: _off, ...on } = env;
  return on;
}

// The three shapes of an SSHCC_LOG line (packages/client/src/compile/compile-note.ts).
const REMOTE_LINE = /^sshcc: .*: compiled on \S+ \(\d+ ms\)$/;
const CACHED_LINE = /^sshcc: .*: answered from the result cache(?: without running the preprocessor \(direct mode\))?$/;
const LOCAL_LINE = /^sshcc: .*?: compiled locally: (.*)$/;

/**
 * One line per job in an SSHCC_LOG file: how many compiled on a volunteer, how many the agent's cache
 * answered, how many compiled here, and why (each reason with its count).
 */
function readJobLog(file) {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  const remote = lines.filter((line) => REMOTE_LINE.test(line)).length;
  // A local line is one first: one whose why ends as a cache line does is still local.
  const local = lines.filter((line) => !REMOTE_LINE.test(line) && LOCAL_LINE.test(line));
  const cached = lines.filter((line) => !REMOTE_LINE.test(line) && !LOCAL_LINE.test(line) && CACHED_LINE.test(line)).length;
  const localByReason = {};
  for (const line of local) {
    const why = LOCAL_LINE.exec(line)[1];
    localByReason[why] = (localByReason[why] ?? 0) + 1;
  }
  return { jobs: lines.length, remote, cached, local: local.length, localReasons: Object.keys(localByReason), localByReason };
}

/** `sshcc stats --json` where this build of sshcc has it (null otherwise). */
function statsJson(env) {
  const run = spawnSync(SSHCC, ['stats', '--json'], { env, encoding: 'utf8', timeout: 15_000 });
  if (run.status !== 0) return null;
  try {
    return JSON.parse(run.stdout);
  } catch {
    return null;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = { ROOT, SSHCC, CLIENT_DIST, AGENT_ENTRY, THIN_CLIENT, sshccEnv, cacheOn, agentPid, stopAgent, startProfiledAgent, readJobLog, statsJson, sleep };
