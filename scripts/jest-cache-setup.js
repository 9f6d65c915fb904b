// One cache folder for the whole run (removed by jest-cache-teardown.js): the result caches (the
// agent's and a volunteer's, under XDG_CACHE_HOME) must neither read nor fill the developer's
// ~/.cache/sshcc. The workers inherit it from here. Tests that need one per build set their own.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = () => {
  process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'sshcc-test-cache-'));
};
