'use strict';
// The scale phase's build: N unique preprocessed files (.i, so nothing is preprocessed on this machine)
// and a Makefile compiling each with $(CC); and the object the testkit's stand-in compiler writes for a
// file, so every object can be checked after a run in which volunteers died under their jobs.
const fs = require('node:fs');
const path = require('node:path');

const MAKEFILE = `OBJS := $(patsubst %.i,%.o,$(wildcard *.i))
all: $(OBJS)
%.o: %.i
\t$(CC) -c $< -o $@
`;

/** `count` files `s<i>.i`; `extra` (e.g. a `sshcc-standin-ms=` comment) goes into every one. */
function writeScaleSources(dir, count, tag, extra = '') {
  fs.writeFileSync(path.join(dir, 'Makefile'), MAKEFILE);
  const names = [];
  for (let i = 0; i < count; i++) {
    const name = `s${i}.i`;
    fs.writeFileSync(path.join(dir, name), `${extra}int ${tag}_${i}(int x) { return x + ${i}; }\n`);
    names.push(name);
  }
  return names;
}

const FNV_OFFSET = 1469598103934665603n;
const FNV_PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;

/** What packages/testkit/stand-in/stand-in.c writes for these input bytes. */
function standInObject(bytes) {
  let h = FNV_OFFSET;
  for (const byte of bytes) h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK;
  return `sshcc stand-in object\nfnv1a64 ${h.toString(16).padStart(16, '0')}\nbytes ${bytes.length}\n`;
}

/** The sources whose object is missing or not the stand-in's object of that source. */
function wrongObjects(dir, names) {
  return names.filter((name) => {
    const object = path.join(dir, name.replace(/\.i$/, '.o'));
    if (!fs.existsSync(object)) return true;
    return fs.readFileSync(object, 'utf8') !== standInObject(fs.readFileSync(path.join(dir, name)));
  });
}

module.exports = { writeScaleSources, standInObject, wrongObjects };
