// Projects for the end-to-end builds: a copy of examples/ (C and C++, -g, -MD -MP) and a generated
// C++ project whose files take about half a second each, for faults that must land mid-build.
import { cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../..');
/** What `npm run build` installs as the `sshcc` command: the C shim (or its sh launcher). */
export const SSHCC = join(REPO, 'node_modules/.bin/sshcc');
/** The TS thin client bundle; run directly, its arguments are the compiler command line. */
export const THIN_CLIENT = join(REPO, 'packages/client/dist/sshcc-thin.js');

/** examples/ copied into `dir`; builds go to `O=<objDir>` beside the sources. */
export function copyExamples(dir: string): string {
  const project = join(dir, 'examples');
  cpSync(join(REPO, 'examples'), project, { recursive: true });
  rmSync(join(project, 'build'), { recursive: true, force: true });
  return project;
}

export interface GeneratedProject {
  readonly dir: string;
  /** Object paths relative to the project, e.g. `build/gen07.o` for O=build. */
  objects(objDir: string): string[];
}

/**
 * `count` C++ files (~0.5 s each at -O2 here: map, sort, ostringstream), compiled without -g so their
 * objects must match a local build byte for byte, with -MD -MP dependency files, linked into one program.
 */
export function generateProject(dir: string, count: number): GeneratedProject {
  const project = join(dir, 'generated');
  mkdirSync(join(project, 'src'), { recursive: true });
  const names = Array.from({ length: count }, (_, i) => `gen${String(i).padStart(2, '0')}`);
  for (const [i, name] of names.entries()) writeFileSync(join(project, 'src', `${name}.cpp`), generatedSource(i));
  writeFileSync(join(project, 'src', 'main.cpp'), generatedMain(names.length));
  writeFileSync(join(project, 'Makefile'), GENERATED_MAKEFILE);
  return {
    dir: project,
    objects: (objDir) => [...names, 'main'].map((name) => `${objDir}/${name}.o`),
  };
}

function generatedSource(i: number): string {
  return `#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace gen${i} {
std::string summarize(const std::vector<std::string>& words) {
  std::map<std::string, std::vector<int>> where;
  for (int i = 0; i < static_cast<int>(words.size()); ++i) where[words[i]].push_back(i * ${i + 1});
  std::vector<std::pair<std::string, std::vector<int>>> items(where.begin(), where.end());
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  std::ostringstream out;
  for (const auto& [word, at] : items) out << word << ':' << at.size() << ' ';
  return out.str();
}
}  // namespace gen${i}
`;
}

function generatedMain(count: number): string {
  const decls = Array.from({ length: count }, (_, i) => `namespace gen${i} { std::string summarize(const std::vector<std::string>&); }`);
  const calls = Array.from({ length: count }, (_, i) => `  std::cout << gen${i}::summarize(words) << '\\n';`);
  return `#include <iostream>
#include <string>
#include <vector>
${decls.join('\n')}
int main() {
  std::vector<std::string> words{"the", "cat", "saw", "the", "dog"};
${calls.join('\n')}
  return 0;
}
`;
}

const GENERATED_MAKEFILE = `CXX ?= g++
O ?= build
CXXFLAGS ?= -O2 -Wall -std=c++17
SRCS = $(wildcard src/*.cpp)
OBJS = $(SRCS:src/%.cpp=$(O)/%.o)

$(O)/program: $(OBJS)
\t$(CXX) -o $@ $^

$(O)/%.o: src/%.cpp | $(O)
\t$(CXX) $(CXXFLAGS) -MD -MP -c $< -o $@

$(O):
\tmkdir -p $@

-include $(OBJS:.o=.d)
`;

/** Moves a finished build aside so the next build writes the very same paths (cwd and O= recorded alike). */
export function moveBuild(project: string, from: string, to: string): void {
  rmSync(join(project, to), { recursive: true, force: true });
  renameSync(join(project, from), join(project, to));
}
