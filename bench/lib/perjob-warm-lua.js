'use strict';
// Phase perjob, part 3 (issue 17): the real project through a warm agent with the result cache off, against
// local make, distcc over TCP and distcc over ssh, in one run; distcc over ssh twice: through the
// volunteer's own account (the build phase's figure: root, whose login shell reads its rc files) and
// through a plain account whose login shell is /bin/sh, as a volunteer set up for distcc would have it.
const { runCommand } = require('./run-command');
const { shq } = require('./timed-loop');
const { clientCpu } = require('./measured-build');
const { checkedBuild } = require('./checked-build');
const { rotatingRounds } = require('./rotating-rounds');
const { distccEnv } = require('./distcc');
const { plainShAccount, probeLogin } = require('./plain-account');
const { SSHCC } = require('./sshcc');
const { compareTrees } = require('./compare-objects');
const { summarize, median, pairedRatios } = require('./stats');
const { sec, ratio, range } = require('./format');

async function warmProjectSection(ctx, { project, tree, refDir, objects, agentName, warmedAgent }) {
  const { options, log } = ctx;
  const jobs = options.jobs;
  const { volunteer, alias, config } = await ctx.mainVolunteer();
  const sshWrapper = await ctx.distccSshWrapper();
  const distccd = await ctx.distccd();
  const account = await plainShAccount(ctx, volunteer, alias, config.sshConfigFile);
  log(`plain account ${account.user}: its logins run ${account.shell}`);
  const env = await warmedAgent();
  const rootShell = (await probeLogin(config.sshConfigFile, alias)).shell;

  const variants = [
    { key: 'local', label: 'local make', cc: 'gcc', env: process.env, servers: [] },
    { key: 'distcc-tcp', label: 'distcc over TCP', cc: 'distcc gcc', env: distccEnv({ hosts: `127.0.0.1:${distccd.port}/${jobs}`, stateDir: ctx.dir('scratch', 'perjob-distcc-tcp') }), servers: [distccd.pid] },
    { key: 'distcc-ssh', label: `distcc over ssh, the volunteer's account (${volunteer.user})`, cc: 'distcc gcc', env: distccEnv({ hosts: `@${alias}/${jobs}`, stateDir: ctx.dir('scratch', 'perjob-distcc-ssh'), sshWrapper }), servers: [volunteer.pid] },
    // sshd's sessions of a non-root login are reaped outside its tree (measured: a CPU-bound command's time
    // never reaches the listener), so this variant's volunteer-side CPU cannot be read; it is not reported.
    { key: 'distcc-ssh-sh', label: `distcc over ssh, plain account (${account.user}, /bin/sh)`, cc: 'distcc gcc', env: distccEnv({ hosts: `${account.user}@${alias}/${jobs}`, stateDir: ctx.dir('scratch', 'perjob-distcc-ssh-sh'), sshWrapper }), servers: [], serverCpuUnknown: true },
    { key: 'sshcc', label: 'sshcc, warm agent, cache off', cc: `${SSHCC} gcc`, env, servers: [volunteer.pid], agent: true },
  ];
  const samples = await rotatingRounds(variants, options.reps, async (variant, round) => {
    const clean = project.clean();
    await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
    const { cmd, args } = project.build(variant.cc, jobs, tree);
    const run = await checkedBuild(ctx, { what: `warm ${project.name}`, variant, line: [cmd, ...args].map(shq).join(' '), cwd: tree, jobs: objects.length, agentName, distccd, compare: () => compareTrees(refDir, tree, objects) });
    log(`  round ${round + 1}/${options.reps} ${variant.label}: ${sec(run.ms)} s`);
    return run;
  });

  const ms = (key) => samples[key].map((s) => s.ms);
  const rows = variants.map((v) => {
    const s = samples[v.key];
    const wall = summarize(ms(v.key));
    const vsLocal = pairedRatios(ms(v.key), ms('local'));
    const faster = v.key.startsWith('distcc') ? ratio(pairedRatios(ms(v.key), ms('sshcc')).median) : '–';
    const client = median(s.map((x) => clientCpu(x.cpu)));
    const server = median(s.map((x) => x.cpu.server));
    return [v.label, sec(wall.median), range(wall, sec), ratio(vsLocal.median), range(vsLocal, (x) => x.toFixed(2)), faster, `${sec(client)} + ${v.serverCpuUnknown ? '?' : sec(server)}`, `${(median(s.map((x) => x.busy)) * 100).toFixed(0)}%`, s.at(-1).check];
  });
  const warm = pairedRatios(ms('sshcc'), ms('local')).median;
  const vsTcp = pairedRatios(ms('sshcc'), ms('distcc-tcp')).median;
  return {
    table: {
      title: `Warm ${project.title}, ${objects.length} objects, make -j${jobs}, result cache off; ${options.reps} rounds`,
      headers: ['variant', 'wall s (median)', 'min–max s', '× local', '× local min–max', 'sshcc × faster', 'CPU s: client + server side', 'machine busy', 'check'],
      rows,
      notes: [
        `distcc over ssh runs \`ssh <volunteer> distccd --inetd\` per job, so each job pays a login: through ${volunteer.user}'s account its shell is ${rootShell || 'unknown'} (with whatever its rc files run); through the plain account ${account.user} (made by \`useradd -s /bin/sh\` for this run, key auth to the same sshd, removed at the end) it is ${account.shell}. sshcc × faster = that distcc build's time over sshcc's in the same round (median).`,
        `CPU s: client side = make's tree + the agent and its children; server side = the volunteer's sshd tree or distccd's. ${account.user}'s ssh sessions are reaped outside sshd's tree (their CPU never reaches it), so that row's server side is "?".`,
        'Ratios are medians of per-round ratios. The result caches are off (SSHCC_CACHE=0); sshcc is checked in SSHCC_LOG (every compile on the volunteer); every remote variant\'s objects equal the local build\'s.',
      ],
    },
    targets: [
      { what: `warm ${project.title} vs local make (cache off)`, target: '≤ 1.15×', measured: ratio(warm), met: warm <= 1.15 },
      { what: `warm ${project.title} vs distcc over TCP`, target: '≤ 1.00×', measured: ratio(vsTcp), met: vsTcp <= 1 },
      ],
    data: {
      jobs,
      objects: objects.length,
      shells: { [volunteer.user]: rootShell, [account.user]: account.shell },
      variants: Object.fromEntries(variants.map((v) => [v.key, { label: v.label, wallMs: summarize(ms(v.key)), ratioToLocal: pairedRatios(ms(v.key), ms('local')), ratioToSshcc: pairedRatios(ms(v.key), ms('sshcc')), samples: samples[v.key] }])),
    },
  };
}

module.exports = { warmProjectSection };
