'use strict';
// A V8 .cpuprofile (node --cpu-prof) as text: where the agent's CPU went, by function and by module.
const fs = require('node:fs');

function summarizeProfile(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas || [];
  (profile.samples || []).forEach((id, i) => selfUs.set(id, (selfUs.get(id) || 0) + (deltas[i] || 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const byFunction = new Map();
  const byModule = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const where = callFrame.url ? `${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    const fn = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(fn, (byFunction.get(fn) || 0) + us);
    const mod = moduleOf(callFrame);
    byModule.set(mod, (byModule.get(mod) || 0) + us);
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
  return [`total sampled ${(total / 1000).toFixed(0)} ms`, 'by module:', ...top(byModule, 12), 'by function (self time):', ...top(byFunction, 30), ''].join('\n');
}

function shortUrl(url) {
  return url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/packages\//, '');
}

function moduleOf(callFrame) {
  const { url, functionName } = callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url.split('/')[0];
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm && !nm[1].startsWith('@sshcc')) return nm[1];
  const pkg = /\/packages\/([^/]+)\/dist\/([^/]+)/.exec(url) || /@sshcc\/([^/]+)\/dist\/([^/]+)/.exec(url);
  return pkg ? `@sshcc/${pkg[1]}/${pkg[2].replace(/\.js$/, '')}` : shortUrl(url);
}

module.exports = { summarizeProfile };
