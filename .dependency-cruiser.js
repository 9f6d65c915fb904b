// The import rules `npm run lint:deps` enforces (docs/ARCHITECTURE.md says why each exists).
// Packages: core < protocol < store < server | client; testkit is test-only. Inside packages/client,
// folders sit in layers and import only from lower ones, so a newcomer reads the client bottom-up.
'use strict';

/** packages/client/src/<folder>: rank 0 is the bottom. Same-rank folders do not import each other. */
const CLIENT_LAYERS = [
  ['wire', 'masquerade', 'hosts'], // the agent socket contract; finding the real compiler; per-host state (pool and queue both read it, so below both)
  ['thin', 'pool', 'queue'], // the per-compile TS client; ssh connections; slots
  ['events'], // what a compile reports as it goes
  ['compile', 'views'], // one compile end to end; folds of the events and their formatting
  ['ping', 'install'], // operations on hosts
  ['agent', 'doctor'], // the process: listener, lifecycle, feed wiring; `sshcc doctor`, built on ping
  ['cli'], // subcommands
];

const rankOf = new Map(CLIENT_LAYERS.flatMap((folders, rank) => folders.map((folder) => [folder, rank])));
const clientFolder = (folder) => `^packages/client/src/${folder}/`;

/** Tests and their fixtures may reach up: a thin-client test starts a real agent. */
const TEST_FILES = '\\.test\\.ts$|/test-[^/]*\\.ts$|/client-test-fixture\\.ts$';

const layerRules = [...rankOf].map(([folder, rank]) => {
  const notBelow = [...rankOf].filter(([other, r]) => other !== folder && r >= rank).map(([other]) => other);
  return {
    name: `client-layer-${folder}`,
    comment: `client/src/${folder} (layer ${rank}) may import only from lower layers`,
    severity: 'error',
    from: { path: clientFolder(folder), pathNot: TEST_FILES },
    to: { path: `^packages/client/src/(${notBelow.join('|')})/` },
  };
});

const PACKAGE_RULES = [
  ['core', ['protocol', 'store', 'server', 'client', 'testkit'], 'core is pure logic: it imports no other package'],
  ['protocol', ['store', 'server', 'client', 'testkit'], 'the wire format is shared by both ends and depends on neither'],
  ['store', ['server', 'client', 'testkit'], 'what both ends share depends on neither end'],
  ['server', ['client', 'testkit'], 'the volunteer never imports the client'],
  ['client', ['server', 'testkit'], 'the two ends share code only through @sshcc/store and @sshcc/protocol'],
];

const packageRules = PACKAGE_RULES.map(([from, forbidden, comment]) => ({
  name: `package-${from}`,
  comment,
  severity: 'error',
  from: { path: `^packages/${from}/src/`, pathNot: TEST_FILES },
  to: { path: `^packages/(${forbidden.join('|')})/` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-no-io',
      comment: 'core is pure: the clock, fs, spawn and ssh are passed in',
      severity: 'error',
      from: { path: '^packages/core/src/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|net|child_process|os|dgram|http|https|tls)$' },
    },
    ...packageRules,
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.lint.json' },
    combinedDependencies: false,
  },
};
