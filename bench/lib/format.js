'use strict';
// Number formatting for the Markdown tables.

const sec = (ms) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const msText = (ms) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
const range = (s, fmt) => `${fmt(s.min)}–${fmt(s.max)}`;
const mb = (bytes) => (bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1);

function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

module.exports = { sec, msText, ratio, range, mb, markdownTable };
