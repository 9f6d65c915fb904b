'use strict';
// Generated sources for the per-job phases. Every file is unique (a cache anywhere on the way must not
// turn a compile into a lookup), and a Makefile compiles each one to its own object with $(CC).
const fs = require('node:fs');
const path = require('node:path');

/** A function that returns its number: preprocessing and compiling it are close to free. */
function trivialSource(tag, i) {
  return `int ${tag}_${i}(int x) { return x + ${i}; }\n`;
}

/** A tiny function in a file that includes <stdio.h>: the smallest real C file (~800 lines after cpp). */
function stdioSource(tag, i) {
  return `#include <stdio.h>\nint ${tag}_${i}(const char *s) { return puts(s) + ${i}; }\n`;
}

/**
 * A file that is tiny before preprocessing (gcc -fdirectives-only leaves macros alone) and takes the
 * volunteer ~0.3 s of CPU per 1000 statements (here: 2000) expanded from nested macros.
 */
function slowSource(tag, i) {
  return [
    '#define S1(x) x = x * 31u + (x >> 3) + __COUNTER__;',
    '#define S10(x) S1(x) S1(x) S1(x) S1(x) S1(x) S1(x) S1(x) S1(x) S1(x) S1(x)',
    '#define S100(x) S10(x) S10(x) S10(x) S10(x) S10(x) S10(x) S10(x) S10(x) S10(x) S10(x)',
    '#define S1000(x) S100(x) S100(x) S100(x) S100(x) S100(x) S100(x) S100(x) S100(x) S100(x) S100(x)',
    `unsigned ${tag}_${i}(unsigned v) { v += ${i}u; S1000(v) S1000(v) return v; }`,
    '',
  ].join('\n');
}

/** Writes `count` sources into a fresh `dir` and a Makefile; returns the source file names. */
function writeSources(dir, count, tag, make = trivialSource, flags = '-O2') {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const names = [];
  for (let i = 0; i < count; i++) {
    const name = `${tag}_${i}.c`;
    fs.writeFileSync(path.join(dir, name), make(tag, i));
    names.push(name);
  }
  const objects = names.map((n) => n.replace(/\.c$/, '.o'));
  fs.writeFileSync(path.join(dir, 'Makefile'), `all: ${objects.join(' ')}\n%.o: %.c\n\t$(CC) ${flags} -c $< -o $@\n`);
  return names;
}

module.exports = { writeSources, trivialSource, stdioSource, slowSource };
