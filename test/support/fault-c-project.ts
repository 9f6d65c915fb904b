// Many-file C projects for the soak and load tests: every file its own compile, no link, so the number
// of jobs is exactly the number of files. 'trivial' files cost gcc a few ms each (the soak wants jobs,
// not CPU); 'small' ones include libc headers and have a little code to optimise (the load test wants
// preprocessing here and compiles there to weigh something).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedProject } from './build-project';

export type CFileKind = 'trivial' | 'small';

export function generateCProject(parent: string, name: string, count: number, kind: CFileKind): GeneratedProject {
  const dir = join(parent, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  const names = Array.from({ length: count }, (_, i) => `f${String(i).padStart(4, '0')}`);
  for (const [i, file] of names.entries()) writeFileSync(join(dir, 'src', `${file}.c`), kind === 'trivial' ? trivial(i) : small(i));
  writeFileSync(join(dir, 'Makefile'), MAKEFILE);
  return { dir, objects: (objDir) => names.map((file) => `${objDir}/${file}.o`) };
}

function trivial(i: number): string {
  return `int f${i}(int x) { return x * ${i} + ${i % 7}; }\n`;
}

function small(i: number): string {
  return `#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct item${i} { char name[32]; int weight; };

static int by_weight(const void *a, const void *b) {
  return ((const struct item${i} *)a)->weight - ((const struct item${i} *)b)->weight;
}

int f${i}(int n) {
  struct item${i} items[16];
  for (int k = 0; k < 16; k++) {
    snprintf(items[k].name, sizeof items[k].name, "item-%d-%d", ${i}, k);
    items[k].weight = (k * ${i + 7}) % 13 + n;
  }
  qsort(items, 16, sizeof items[0], by_weight);
  int sum = 0;
  for (int k = 0; k < 16; k++) sum += (int)strlen(items[k].name) * items[k].weight;
  return sum;
}
`;
}

const MAKEFILE = `CC ?= gcc
O ?= build
CFLAGS ?= -O2 -Wall
SRCS = $(wildcard src/*.c)
OBJS = $(SRCS:src/%.c=$(O)/%.o)

all: $(OBJS)

$(O)/%.o: src/%.c | $(O)
\t$(CC) $(CFLAGS) -c $< -o $@

$(O):
\tmkdir -p $@
`;
