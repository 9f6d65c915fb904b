// Removes the run's cache folder that jest-cache-setup.js made.
const { rmSync } = require('node:fs');

module.exports = () => {
  if (process.env.XDG_CACHE_HOME?.includes('sshcc-test-cache-')) rmSync(process.env.XDG_CACHE_HOME, { recursive: true, force: true });
};
