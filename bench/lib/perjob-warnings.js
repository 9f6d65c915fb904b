'use strict';
// Phase perjob, part 5 (issue 17): a build that warns a lot. Lua with `MYCFLAGS=-Wall -Wextra -Wconversion`
// (its Makefile appends MYCFLAGS to CFLAGS) through sshcc with the result cache off: how many compiles ran
// on the volunteer (SSHCC_LOG), and whether the build's stderr is the local build's, byte for byte. Both
// builds run with make -j1, so the order of the diagnostics is the same.
const path = require('node:path');
const { runCommand } = require('./run-command');
const { shq } = require('./timed-loop');
const { measuredBuild } = require('./measured-build');
const { SSHCC, readJobLog } = require('./sshcc');
const { compareTrees, copyObjects } = require('./compare-objects');
const { firstDifference } = require('./first-difference');
const { sec } = require('./format');

const WARNINGS = '-Wall -Wextra -Wconversion';

async function warningsSection(ctx, { project, tree, warmedAgent }) {
  const { log } = ctx;
  const env = await warmedAgent();
  const build = async (cc, extraEnv) => {
    const clean = project.clean();
    await runCommand(clean.cmd, clean.args, { cwd: tree, check: true });
    const { cmd, args } = project.build(cc, 1, tree);
    return measuredBuild([cmd, ...args, `MYCFLAGS=${WARNINGS}`].map(shq).join(' '), { cwd: tree, env: extraEnv, scriptDir: ctx.dir('scratch') });
  };
  const local = await build('gcc', process.env);
  const objects = project.objects(tree);
  const refDir = path.join(ctx.work, 'trees', 'perjob-warnings-reference');
  copyObjects(tree, refDir, objects);
  const jobLog = path.join(ctx.dir('scratch'), 'perjob-warnings.log');
  const remote = await build(`${SSHCC} gcc`, { ...env, SSHCC_LOG: jobLog });
  const ran = readJobLog(jobLog);
  const cmp = compareTrees(refDir, tree, objects);
  const diff = firstDifference(local.stderr, remote.stderr);
  const warningLines = local.stderr.split('\n').filter((line) => /: warning: /.test(line)).length;
  log(`  warnings: ${ran.remote}/${objects.length} on the volunteer, stderr ${diff === null ? 'equal' : `differs from line ${diff.line}`}`);
  const share = ran.remote / objects.length;
  const reasons = Object.entries(ran.localByReason).map(([why, n]) => `${n}: ${why}`).join('; ') || '–';
  return {
    table: {
      title: `Warning-heavy build: ${project.title} with MYCFLAGS='${WARNINGS}', make -j1, result cache off`,
      headers: ['build', 'wall s', 'compiles', 'on the volunteer', 'compiled here (why)', 'stderr bytes', 'stderr equals local', 'objects match'],
      rows: [
        ['local make', sec(local.ms), String(objects.length), '–', '–', String(Buffer.byteLength(local.stderr)), 'reference', 'reference'],
        ['sshcc, warm agent', sec(remote.ms), String(ran.jobs), `${ran.remote} (${(share * 100).toFixed(0)}%)`, reasons, String(Buffer.byteLength(remote.stderr)), diff === null ? 'yes' : `**no**: from line ${diff.line}`, `${cmp.identical + cmp.equivalent}/${cmp.compared}`],
      ],
      notes: [
        `The local build printed ${warningLines} warning lines. stderr is make's and the compilers' together, compared byte for byte; where it differs, the JSON has the first differing lines of each.`,
      ],
    },
    targets: [
      { what: `warning-heavy build (${WARNINGS}) compiled on the volunteer`, target: '100%', measured: `${(share * 100).toFixed(0)}%`, met: share === 1 },
      { what: 'warning-heavy build: stderr byte for byte the local build\'s', target: 'equal', measured: diff === null ? 'equal' : `differs from line ${diff.line}`, met: diff === null },
    ],
    data: { flags: WARNINGS, objects: objects.length, jobLog: ran, warningLines, stderrBytes: { local: Buffer.byteLength(local.stderr), sshcc: Buffer.byteLength(remote.stderr) }, stderrEqual: diff === null, firstDifference: diff, objectsMatch: cmp },
  };
}

module.exports = { warningsSection };
