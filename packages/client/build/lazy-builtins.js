'use strict';
// The thin client starts before every compile, and Node's `net` and `child_process` cost ~2.5 ms of a
// ~20 ms start (together they load the whole streams library): the early exits (SSHCC_DEPTH, a
// launcher's "no agent") need neither, a compile answered by a result needs no `child_process`.
// The sources import them as usual; in the bundle, the functions named here stand in for the real
// ones and load the module on their first call. Only plain functions can be lazy like this (a class
// or an object would be a different value), so each module lists its names: importing any other
// name from it fails the build ("No matching export"), and belongs here after that thought.
const LAZY_BUILTINS = {
  child_process: ['spawn'],
  net: ['connect'],
};

const NAMESPACE = 'sshcc-lazy-builtin';

/** One module's stand-in: an ES module, so esbuild binds the calls directly (no interop wrapper). */
function standIn(name) {
  const lines = [`let real;`, `const load = () => real ??= require(${JSON.stringify(`node:${name}`)});`];
  for (const fn of LAZY_BUILTINS[name]) lines.push(`export function ${fn}(...args) { return load().${fn}(...args); }`);
  return `${lines.join('\n')}\n`;
}

const lazyBuiltins = {
  name: 'sshcc-lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(child_process|net)$/ }, (args) => {
      if (args.namespace === NAMESPACE) return undefined; // the stand-in's own require: the real module
      return { path: args.path.replace(/^node:/, ''), namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: standIn(args.path), loader: 'js' }));
  },
};

module.exports = { lazyBuiltins, LAZY_BUILTINS };
