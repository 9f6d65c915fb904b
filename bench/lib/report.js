'use strict';
// The Markdown the bench prints: the machine, one table per phase, and the targets of issues 6 and 9.
const { markdownTable } = require('./format');

function renderReport(report) {
  const m = report.machine;
  const out = [
    `## sshcc benchmark, ${report.date.slice(0, 10)}`,
    '',
    `${m.cores} cores (${m.model}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, ${m.gcc}, ${m.distcc}, ${m.ssh}.`,
    `Load average before/after: ${report.load.before.join(' ')} / ${report.load.after.join(' ')}${report.options.quick ? '. **Quick run** (fewer repetitions): for checking the harness, not for quoting.' : '.'}`,
    '',
  ];
  for (const [key, phase] of Object.entries(report.phases)) {
    out.push(`### ${phase.title}`, '', markdownTable(phase.headers, phase.rows), '');
    for (const note of phase.notes) out.push(`- ${note}`);
    if (phase.notes.length > 0) out.push('');
    // A phase may add tables of its own (the WAN phase: builds, then per-job round trips).
    for (const table of phase.tables ?? []) {
      out.push(`#### ${table.title}`, '', markdownTable(table.headers, table.rows), '');
      for (const note of table.notes ?? []) out.push(`- ${note}`);
      if ((table.notes ?? []).length > 0) out.push('');
    }
    void key;
  }
  if (report.targets.length > 0) {
    out.push('### Targets', '', markdownTable(['phase', 'what', 'target', 'measured', 'met'], report.targets.map((t) => [t.phase, t.what, t.target, t.measured, t.met ? 'yes' : '**no**'])), '');
  }
  for (const failure of report.failures) out.push(`- phase ${failure.phase} failed: ${failure.error}`);
  return out.join('\n');
}

module.exports = { renderReport };
