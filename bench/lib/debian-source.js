'use strict';
// Real project sources, fetched at bench time: the upstream tarball of a Debian source package
// (`apt-get source --download-only`), with a deb-src entry added for this release when none exists.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const SOURCES_FILE = '/etc/apt/sources.list.d/sshcc-bench-src.sources';

function apt(args) {
  // Several processes may use apt here at once; dpkg's own lock makes the loser fail, so queue on a lock.
  const useFlock = fs.existsSync('/usr/bin/flock');
  const cmd = useFlock ? 'flock' : 'apt-get';
  const argv = useFlock ? ['/tmp/sshcc-apt.lock', 'apt-get', ...args] : args;
  return spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function hasDebSrc() {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (fs.existsSync(dir)) for (const name of fs.readdirSync(dir)) if (/\.(list|sources)$/.test(name)) files.push(path.join(dir, name));
  return files.some((file) => {
    try {
      const text = fs.readFileSync(file, 'utf8');
      return /^\s*deb-src\s/m.test(text) || /^Types:.*\bdeb-src\b/m.test(text);
    } catch {
      return false;
    }
  });
}

function debianCodename() {
  const text = fs.readFileSync('/etc/os-release', 'utf8');
  const m = /^VERSION_CODENAME=(\w+)/m.exec(text);
  if (!m) throw new Error('cannot tell the Debian release (/etc/os-release has no VERSION_CODENAME)');
  return m[1];
}

function ensureDebSrc(log) {
  if (hasDebSrc()) return;
  if (process.getuid() !== 0) throw new Error(`no deb-src entry in /etc/apt; add one (as root) or run the bench as root`);
  const codename = debianCodename();
  log(`adding a deb-src entry for ${codename} (${SOURCES_FILE}) and running apt-get update`);
  fs.writeFileSync(
    SOURCES_FILE,
    `Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: ${codename}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  );
  const update = apt(['update', '-qq']);
  if (update.status !== 0) throw new Error(`apt-get update failed: ${update.stderr.trim().slice(-400)}`);
}

/** Path of the package's upstream tarball (*.orig.tar.*) in `cacheDir`, downloading it if needed. */
function upstreamTarball(pkg, cacheDir, log) {
  const dir = path.join(cacheDir, pkg);
  fs.mkdirSync(dir, { recursive: true });
  const find = () => fs.readdirSync(dir).find((name) => /\.orig\.tar\.(gz|xz|bz2)$/.test(name));
  if (find() === undefined) {
    ensureDebSrc(log);
    log(`apt-get source --download-only ${pkg}`);
    let run = spawnSync('apt-get', ['source', '--download-only', '-qq', pkg], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0 && /Unable to find a source package|You must put some 'deb-src'/.test(run.stderr)) {
      apt(['update', '-qq']);
      run = spawnSync('apt-get', ['source', '--download-only', '-qq', pkg], { cwd: dir, encoding: 'utf8' });
    }
    if (run.status !== 0) throw new Error(`apt-get source ${pkg} failed: ${run.stderr.trim().slice(-400)}`);
  }
  const name = find();
  if (name === undefined) throw new Error(`apt-get source ${pkg} left no *.orig.tar.* in ${dir}`);
  return path.join(dir, name);
}

/** A fresh tree of the tarball's contents at `dest` (its top-level folder stripped). */
function extractTree(tarball, dest) {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const run = spawnSync('tar', ['xf', tarball, '-C', dest, '--strip-components=1'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tar xf ${tarball} failed: ${run.stderr.trim()}`);
  return dest;
}

module.exports = { upstreamTarball, extractTree };
