'use strict';
// What the phases share in one run: the work folder, one loopback volunteer (started on first use),
// distcc's ssh wrapper and TCP daemon, and every agent started, so that all of it is stopped at the end
// even when a phase fails.
const fs = require('node:fs');
const path = require('node:path');
const { startLoopbackVolunteers, stopAllVolunteers } = require('./volunteers');
const { writeSshWrapper, startDistccd } = require('./distcc');
const { spawnSync } = require('node:child_process');
const { SSHCC, sshccEnv, stopAgent, startProfiledAgent, agentPid } = require('./sshcc');
const { summarizeProfile } = require('./profile-summary');

const WORK = path.resolve(__dirname, '..', '.work');

class BenchContext {
  constructor(options, log) {
    this.options = options;
    this.log = log;
    this.work = WORK;
    this.agentEnvs = new Map();
    this.cleanups = [];
    this.volunteer = null;
    this.distccdHandle = null;
    fs.mkdirSync(this.dir('scratch'), { recursive: true });
    // Dying without close() (an uncaught error, a second Ctrl-C): still stop every agent we started.
    process.once('exit', () => {
      for (const env of this.agentEnvs.values()) if (agentPid(env) !== null) spawnSync(SSHCC, ['agent', 'stop'], { env, stdio: 'ignore', timeout: 5000 });
    });
  }

  /** A folder under bench/.work (made if missing). */
  dir(...parts) {
    const dir = path.join(this.work, ...parts);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** A fresh, empty folder under bench/.work/trees. */
  freshDir(name) {
    const dir = path.join(this.work, 'trees', name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The shared loopback volunteer: { volunteer, config, alias }. */
  async mainVolunteer() {
    if (this.volunteer === null) {
      const { volunteers, config } = await startLoopbackVolunteers(1);
      this.volunteer = { volunteer: volunteers[0], config, alias: config.aliases[0] };
      this.log(`volunteer ${this.volunteer.alias} on 127.0.0.1:${volunteers[0].port}`);
    }
    return this.volunteer;
  }

  /** Extra volunteers for one phase (stopped with the rest at the end). */
  startVolunteers(count, options) {
    return startLoopbackVolunteers(count, options);
  }

  async distccSshWrapper() {
    const { config } = await this.mainVolunteer();
    return writeSshWrapper(this.dir('scratch'), config.sshConfigFile);
  }

  async distccd() {
    if (this.distccdHandle === null) {
      this.distccdHandle = await startDistccd(path.join(this.dir('scratch'), 'distccd.log'), Math.max(this.options.jobs, 16));
      this.log(`distccd on 127.0.0.1:${this.distccdHandle.port}`);
    }
    return this.distccdHandle;
  }

  /** The environment of builds through sshcc with agent dir `name`; the agent is stopped at the end. */
  sshccEnv(name, hosts, clientConfig) {
    const env = sshccEnv({ agentDir: this.dir('agents', name), hosts, clientConfig });
    this.agentEnvs.set(name, env);
    return env;
  }

  /**
   * Makes sure no agent of this environment runs (the next compile starts one: a cold start). With
   * --profile, starts one under --cpu-prof instead: its node start-up is then not timed, the rest is.
   */
  async coldAgent(name) {
    const env = this.agentEnvs.get(name);
    await this.stopAgent(name);
    if (this.options.profile) await startProfiledAgent(env, this.dir('profiles'), `${name}-${Date.now()}`);
  }

  async stopAgent(name) {
    const env = this.agentEnvs.get(name);
    if (env && agentPid(env) !== null) await stopAgent(env);
  }

  agentPid(name) {
    return agentPid(this.agentEnvs.get(name));
  }

  async close() {
    for (const name of this.agentEnvs.keys()) await this.stopAgent(name).catch(() => undefined);
    if (this.distccdHandle) await this.distccdHandle.stop();
    for (const cleanup of this.cleanups.reverse()) await cleanup();
    await stopAllVolunteers();
    if (this.options.profile) this.summarizeProfiles();
    if (!this.options.keep) fs.rmSync(path.join(this.work, 'trees'), { recursive: true, force: true });
    fs.rmSync(path.join(this.work, 'scratch'), { recursive: true, force: true });
  }

  summarizeProfiles() {
    const dir = this.dir('profiles');
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
      const text = summarizeProfile(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name.replace(/\.cpuprofile$/, '.txt')), text);
      this.log(`profile ${name}:\n${text.split('\n').slice(0, 14).join('\n')}`);
    }
  }
}

module.exports = { BenchContext };
