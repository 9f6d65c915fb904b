'use strict';
// The real projects the bench builds, each from its Debian source package's upstream tarball, with the
// project's own Makefile: only the compiler command is swapped (CC / CXX on make's command line).
const fs = require('node:fs');
const path = require('node:path');

/** Object files under `dir` (recursively), as paths relative to it, sorted. */
function listObjects(dir, pattern = /\.(o|lo)$/) {
  const found = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (pattern.test(entry.name)) found.push(child);
    }
  };
  walk('');
  return found.sort();
}

const PROJECTS = {
  // Lua 5.4: 34 C files (the library, lua.c, luac.c), -O2 without -g, two links.
  lua: {
    name: 'lua',
    title: 'Lua 5.4 (C)',
    debianPackage: 'lua5.4',
    compiler: 'gcc',
    prepare: () => undefined,
    build: (cc, jobs) => ({ cmd: 'make', args: ['-C', 'src', `-j${jobs}`, 'linux', `CC=${cc} -std=gnu99`] }),
    clean: () => ({ cmd: 'make', args: ['-C', 'src', 'clean'] }),
    objects: (tree) => listObjects(path.join(tree, 'src')).map((p) => `src/${p}`),
  },
  // zlib: configure once with plain gcc, then make builds static (.o) and shared (.lo) objects.
  zlib: {
    name: 'zlib',
    title: 'zlib 1.2 (C)',
    debianPackage: 'zlib',
    compiler: 'gcc',
    prepare: (tree) => ({ cmd: './configure', args: [], cwd: tree }),
    build: (cc, jobs) => ({ cmd: 'make', args: [`-j${jobs}`, `CC=${cc}`, 'libz.a', 'shared'] }),
    clean: () => ({ cmd: 'make', args: ['mostlyclean'] }),
    objects: (tree) => listObjects(tree).filter((p) => !p.includes('/')),
  },
  // RE2 (C++11, STL-heavy headers): the library's objects whose sources the Debian tarball ships (it
  // drops the generated Unicode tables, so libre2.a itself cannot be linked from it).
  re2: {
    name: 're2',
    title: 'RE2 2022-06 (C++)',
    debianPackage: 're2',
    compiler: 'g++',
    prepare: () => undefined,
    build: (cc, jobs, tree) => ({ cmd: 'make', args: [`-j${jobs}`, `CXX=${cc}`, ...re2Objects(tree)] }),
    clean: () => ({ cmd: 'rm', args: ['-rf', 'obj'] }),
    objects: (tree) => (fs.existsSync(path.join(tree, 'obj')) ? listObjects(path.join(tree, 'obj')).map((p) => `obj/${p}`) : []),
  },
};

/** The OFILES of RE2's Makefile whose .cc is present. */
function re2Objects(tree) {
  const makefile = fs.readFileSync(path.join(tree, 'Makefile'), 'utf8');
  const block = /^OFILES=\\\n((?:\t.*\n)+)/m.exec(makefile);
  if (!block) throw new Error('RE2 Makefile: no OFILES list');
  return block[1]
    .split('\n')
    .map((line) => line.replace(/\\$/, '').trim())
    .filter((obj) => obj && fs.existsSync(path.join(tree, obj.replace(/^obj\//, '').replace(/\.o$/, '.cc'))));
}

module.exports = { PROJECTS, listObjects };
