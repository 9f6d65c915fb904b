'use strict';
// Phase `perjob` (issue 17 item 5): what one job costs sshcc, measured five ways in one run. (1) The pinned
// variant: client side on core 0, volunteer on core 1, Lua and small <stdio.h> files, against distcc over TCP
// and a one-core local build. (2) Jobs/s and agent CPU per job: the throughput phase (not repeated here).
// (3) Warm Lua, cache off, against local, distcc over TCP and distcc over ssh through the volunteer's own
// account and through a plain /bin/sh one. (4) A result-cache hit, end to end. (5) A warning-heavy Lua build:
// its share on the volunteer, its stderr against a local build's. Not in the default run (root: it adds a
// local user; ~10 minutes): `--only perjob`.
const path = require('node:path');
const { PROJECTS } = require('../lib/projects');
const { upstreamTarball, extractTree } = require('../lib/debian-source');
const { runCommand } = require('../lib/run-command');
const { shq, timedLoop } = require('../lib/timed-loop');
const { copyObjects } = require('../lib/compare-objects');
const { pinnedSection } = require('../lib/perjob-pinned');
const { warmAgent } = require('../lib/warm-agent');
const { warmProjectSection } = require('../lib/perjob-warm-lua');
const { cacheHitSection } = require('../lib/perjob-cache-hit');
const { warningsSection } = require('../lib/perjob-warnings');

const AGENT = 'perjob';

async function perjobPhase(ctx) {
  const { log } = ctx;
  // Lua always: part 5 passes its flags through Lua's MYCFLAGS.
  const project = PROJECTS.lua;
  const tree = extractTree(upstreamTarball(project.debianPackage, ctx.dir('sources'), log), path.join(ctx.work, 'trees', 'perjob-lua'));
  log(`${project.title}: reference build (local, untimed)`);
  const clean = project.clean();
  await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
  const { cmd, args } = project.build('gcc', ctx.options.jobs, tree);
  await timedLoop([[cmd, ...args].map(shq).join(' ')], { cwd: tree, env: process.env, scriptDir: ctx.dir('scratch') });
  const objects = project.objects(tree);
  const refDir = path.join(ctx.work, 'trees', 'perjob-lua-reference');
  copyObjects(tree, refDir, objects);
  // The agent of parts 3 to 5, to the shared loopback volunteer; warmed again if a part left it stopped.
  const { alias, config } = await ctx.mainVolunteer();
  const agentEnv = ctx.sshccEnv(AGENT, `${alias}/${ctx.options.jobs}`, config);
  const warmedAgent = async () => {
    if (ctx.agentPid(AGENT) === null) await warmAgent(ctx, agentEnv, ctx.options.jobs, AGENT);
    return agentEnv;
  };
  const shared = { project, tree, refDir, objects, agentName: AGENT, warmedAgent };

  const sections = [
    { key: 'pinned', title: '(1) pinned', run: pinnedSection },
    { key: 'warm', title: '(3) warm Lua, distcc over ssh two ways', run: warmProjectSection },
    { key: 'cacheHit', title: '(4) result-cache hit', run: cacheHitSection },
    { key: 'warnings', title: '(5) warning-heavy build', run: warningsSection },
  ];
  const tables = [];
  const targets = [];
  const data = {};
  const failures = [];
  for (const section of sections) {
    log(`perjob ${section.title}`);
    try {
      const result = await section.run(ctx, shared);
      tables.push(result.table);
      targets.push(...result.targets);
      data[section.key] = result.data;
    } catch (err) {
      log(`perjob ${section.title} failed: ${err instanceof Error ? err.stack : err}`);
      failures.push(`${section.title}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    key: 'perjob',
    title: 'Per-job cost (issue 17): pinned cores, warm Lua and distcc over ssh two ways, cache hit, warning-heavy build',
    headers: ['part', 'where'],
    rows: [
      ...sections.map((s) => [s.title, failures.some((f) => f.startsWith(`${s.title}:`)) ? '**failed** (see below)' : 'table below']),
      ['(2) jobs/s through one agent, agent CPU ms/job', 'the throughput phase (`--only throughput,perjob`): "jobs/s (median)" and "agent CPU ms/job"'],
    ],
    notes: failures.map((f) => `failed: ${f}`),
    tables,
    targets,
    data,
    failures,
  };
}

module.exports = { perjobPhase };
