'use strict';
// Phase `wan` (issue 9): one volunteer behind an emulated WAN link (testkit's startWanVolunteer: sshd in a
// network namespace, a shaped veth, by default 25 ms each way, 20 Mbit/s, 0.5% loss). The real project
// built locally, through distcc over ssh and through sshcc on that link; what one job costs there in round
// trips of the link (measured in the same run); and the bytes each build put on the link. Not in the
// default run: it needs root and reshapes a network of its own (`--wan` or `--only wan`).
const path = require('node:path');
const { PROJECTS } = require('../lib/projects');
const { upstreamTarball, extractTree } = require('../lib/debian-source');
const { runCommand } = require('../lib/run-command');
const { startBenchWanVolunteer } = require('../lib/wan-volunteer');
const { wanBuilds } = require('../lib/wan-builds');
const { wanPerJob } = require('../lib/wan-per-job');
const { warmAgent } = require('../lib/warm-agent');
const { linkSeconds } = require('../lib/wan-link-bytes');
const { summarize, median } = require('../lib/stats');
const { sec, msText, ratio, range, mb } = require('../lib/format');

const AGENT = 'wan';
/** msText for figures that a disturbed run can make negative. */
const signedMs = (ms) => (ms < 0 ? `−${msText(-ms)}` : msText(ms));
const NEAR_AGENT = 'wan-near';
/** Issue 9's targets. */
const SPEEDUP_TARGET = 5;
const RTT_BUDGET = 1.5;

async function wanPhase(ctx) {
  const { options, log } = ctx;
  const shape = options.wanShape;
  const project = PROJECTS[options.project];
  if (!project || project.name === 're2') throw new Error(`--project must be lua or zlib, not ${options.project}`);
  const tree = extractTree(upstreamTarball(project.debianPackage, ctx.dir('sources'), log), path.join(ctx.work, 'trees', `wan-${project.name}`));
  const prep = project.prepare(tree);
  if (prep) await runCommand(prep.cmd, prep.args, { cwd: prep.cwd, check: true });

  const far = await startBenchWanVolunteer(ctx, shape);
  log(`WAN volunteer ${far.alias} via ${far.wan.volunteer.host}:${far.wan.volunteer.port} (${far.device}): ${far.wan.impairments.summary}`);
  const lossBefore = await far.wan.lossCounters();
  const sshccEnv = ctx.sshccEnv(AGENT, `${far.alias}/${options.jobs}`, far.config);
  await ctx.coldAgent(AGENT);
  await warmAgent(ctx, sshccEnv, options.jobs, AGENT);
  // The same client with a loopback volunteer: sshcc's own per-job cost with no link in the way.
  const near = await ctx.mainVolunteer();
  const nearEnv = ctx.sshccEnv(NEAR_AGENT, `${near.alias}/${options.jobs}`, near.config);
  await ctx.coldAgent(NEAR_AGENT);
  await warmAgent(ctx, nearEnv, options.jobs, NEAR_AGENT);

  const builds = await wanBuilds(ctx, { project, tree, far, sshccEnv, agentName: AGENT, reps: options.wanReps });
  const perJob = await wanPerJob(ctx, { far, sshccEnv, nearEnv, shape, project, tree });
  const lossAfter = await far.wan.lossCounters();
  const loss = lossBefore && lossAfter ? { seen: lossAfter.seen - lossBefore.seen, dropped: lossAfter.dropped - lossBefore.dropped } : null;

  const { per, objects } = builds;
  const ratios = (key) => per[key].ms.map((ms, i) => ms / per.local.ms[i]);
  const rows = builds.variants.map((v) => {
    const s = summarize(per[v.key].ms);
    const r = summarize(ratios(v.key));
    const up = median(per[v.key].wire.map((w) => w.up));
    const down = median(per[v.key].wire.map((w) => w.down));
    const vsDistcc = v.key === 'sshcc' ? ratio(median(per['distcc-ssh'].ms) / s.median) : '–';
    return [v.label, sec(s.median), range(s, sec), ratio(r.median), range(r, (x) => x.toFixed(2)), vsDistcc, mb(up), mb(down), sec(linkSeconds({ up, down }, shape.rateMbit) * 1000), `${(median(per[v.key].busy) * 100).toFixed(0)}%`, describeCheck(v.key, per[v.key].checks, objects.length)];
  });
  const speedup = median(per['distcc-ssh'].ms) / median(per.sshcc.ms);

  const rttMs = perJob.rtt.median;
  const SETS = { trivial: { title: 'trivial', stat: 'median' }, real: { title: `${project.title} compiles`, stat: 'mean' } };
  const kb = (w) => `${(w.up / 1e3).toFixed(1)} / ${(w.down / 1e3).toFixed(1)}`;
  const jobRows = [];
  for (const [name, { title, stat }] of Object.entries(SETS)) {
    const r = perJob[name];
    const o = r.overhead[stat];
    const other = r.overhead[stat === 'median' ? 'mean' : 'median'];
    jobRows.push(
      [`${title}: local gcc`, String(r.jobs), msText(r.times.local.median), msText(r.meanMs.local), '–', '–', '–', '–', '–', '–'],
      [`${title}: sshcc, loopback volunteer`, String(r.jobs), msText(r.times.near.median), msText(r.meanMs.near), `${signedMs(o.nearOverMs)} (${stat})`, '–', '–', '–', '–', '–'],
      [
        `${title}: sshcc, far volunteer`,
        String(r.jobs),
        msText(r.times.far.median),
        msText(r.meanMs.far),
        `${signedMs(o.overMs)} (${stat}; ${stat === 'median' ? 'mean' : 'median'} ${signedMs(other.overMs)})`,
        o.rtts.toFixed(2),
        o.linkRoundTrips.toFixed(2),
        kb(r.wirePerJob),
        `${msText(o.budgetMs)} (${RTT_BUDGET} × ${msText(rttMs)} + ${msText(o.transferMs)})`,
        o.met ? 'yes' : '**no**',
      ],
    );
  }
  const d = perJob.distcc;
  jobRows.push(['trivial: distcc over ssh, far volunteer', String(d.jobs), msText(d.times.median), msText(d.meanMs), '–', `${d.rtts.toFixed(1)} (whole job)`, '–', kb(d.wirePerJob), '–', '–']);

  const budgetText = `≤ ${RTT_BUDGET} RTT + bytes / rate`;
  const measuredText = (o) => `${signedMs(o.overMs)} ms = ${o.rtts.toFixed(2)} RTT (budget ${msText(o.budgetMs)} ms); ${o.linkRoundTrips.toFixed(2)} RTT waited on the link`;
  const targets = [
    { what: `sshcc speed-up over distcc over ssh on the shaped link (${project.title}, make -j${options.jobs})`, target: `≥ ${SPEEDUP_TARGET}×`, measured: ratio(speedup), met: speedup >= SPEEDUP_TARGET },
    ...Object.entries(SETS).map(([name, { title, stat }]) => {
      const o = perJob[name].overhead[stat];
      return { what: `per-job overhead on the shaped link, ${title} one at a time (${stat} job)`, target: budgetText, measured: measuredText(o), met: o.met };
    }),
  ];

  const im = far.wan.impairments;
  const notes = [
    `Link: ${im.summary}. RTT measured on the link in this run (one byte echoed by \`cat\` over an open ssh session, ${perJob.rtt.n} samples): median ${msText(rttMs)} ms, ${msText(perJob.rtt.min)}–${msText(perJob.rtt.max)}.`,
    ...(loss ? [`Random loss applied by nft during the phase: ${loss.dropped} of ${loss.seen} IP packets dropped (${((100 * loss.dropped) / Math.max(1, loss.seen)).toFixed(2)}%).`] : []),
    ...(im.delay === 'relay'
      ? ['This kernel has no sch_netem: the delay is a userspace delay line in the relay in front of sshd (emulated); TCP\'s handshake, ACKs and retransmits cross the veth undelayed, so a new TCP connection (each distcc job\'s ssh) skips the SYN round trip and loss recovery is quicker than on a real WAN. Rate (tbf) and loss (nft) are real.']
      : []),
    `Builds: median of ${options.wanReps} round(s); × local is against the local build of the same round; every round adds a round-unique -DSSHCC_BENCH_ROUND=<n> to every variant, so no result cache can answer. distcc runs with DISTCC_FALLBACK=0 (a finished build means every compile was distributed); sshcc's compiles are checked on the volunteer (SSHCC_LOG) and its objects against the local build.`,
    'Link MB: both directions of the veth\'s kernel counters during the build (Ethernet, IP, TCP and SSH framing, ACKs and retransmits included); link floor s = those bytes at the link\'s rate, one direction after the other.',
  ];
  const jobNotes = [
    `Each job is compiled three ways back to back in rotating order (local gcc, sshcc to a loopback volunteer, sshcc to the far one), each compile timed on its own; ${options.wanOverheadReps} repetition(s). Over local = the median (trivial) or mean (real compiles: their byte term is a mean) of the paired per-job differences. In RTT = that over the measured RTT. Link kB/job: the veth's counters over the loop / jobs (only the far volunteer's traffic crosses it). Budget = ${RTT_BUDGET} RTT + those bytes at ${shape.rateMbit} Mbit/s.`,
    'RTT waited on the link = (far − loopback, paired per job, − transfer at the rate) / RTT: the round trips a job waits on the link once sshcc\'s own local cost and the bytes\' transfer time are taken out (issue 9 item 3: one).',
  ];
  return {
    key: 'wan',
    title: `WAN volunteer: ${shape.delayMs} ms each way, ${shape.rateMbit} Mbit/s, ${shape.lossPercent}% loss; ${project.title}, ${objects.length} objects, make -j${options.jobs}, ${options.wanReps} round(s)`,
    headers: ['variant', 'wall s (median)', 'min–max s', '× local', '× local min–max', '× faster than (b)', 'link MB up', 'link MB down', 'link floor s', 'machine busy', 'check'],
    rows,
    notes,
    tables: [
      {
        title: `Per-job overhead on the WAN link (RTT ${msText(rttMs)} ms)`,
        headers: ['jobs one at a time', 'jobs', 'ms/job (median)', 'mean', 'over local ms', 'in RTT', 'RTT waited on the link', 'link kB/job up / down', `budget ms (${RTT_BUDGET} RTT + transfer)`, 'within'],
        rows: jobRows,
        notes: jobNotes,
      },
    ],
    targets,
    data: {
      shape,
      impairments: im,
      link: far.wan.link,
      rttMs: perJob.rtt,
      loss,
      project: project.title,
      jobs: options.jobs,
      objects: objects.length,
      builds: Object.fromEntries(builds.variants.map((v) => [v.key, { label: v.label, wallMs: summarize(per[v.key].ms), ratioToLocal: summarize(ratios(v.key)), wire: per[v.key].wire, machineBusy: per[v.key].busy, checks: per[v.key].checks }])),
      speedupOverDistccSsh: speedup,
      perJob,
    },
  };
}

function describeCheck(key, checks, objects) {
  if (key === 'local') return 'reference';
  if (key === 'distcc-ssh') return 'remote (fallback off)';
  const remote = Math.min(...checks.map((c) => c.remote));
  const same = Math.min(...checks.map((c) => c.identical + c.equivalent));
  return `${remote}/${objects} remote, ${same}/${objects} objects match`;
}

module.exports = { wanPhase };
