// What the -g options of a command ask for. Whether a compile writes a .dwo file beside its output
// (-gsplit-dwarf) differs between gcc and clang (checked with gcc 12 and clang 14, every case below):
//   gcc:   -gsplit-dwarf writes the .dwo with -c even without -g or after -g0; never with -S;
//          -gno-split-dwarf cancels it.
//   clang: only when debug info is on (a later -g0/-ggdb0 turns it off), with -c and with -S;
//          -gsplit-dwarf=single and -gno-split-dwarf write none.

import type { CompilerFamily } from './types';

const DEBUG_LEVEL = /^-g(?:gdb|lldb|sce|dbx)?([0-3]?)$/;
const DEBUG_ON = new Set(['-gline-tables-only', '-gmlt', '-gline-directives-only', '-gfull', '-gused', '-gdwarf']);

/** Whether the last debug-level option turns debug info on (-g, -g1, -ggdb3, -gdwarf-4...; not -g0). */
export function emitsDebugInfo(options: readonly string[]): boolean {
  let debug = false;
  for (const opt of options) {
    const level = DEBUG_LEVEL.exec(opt);
    if (level) debug = level[1] !== '0';
    else if (DEBUG_ON.has(opt) || /^-gdwarf-\d$/.test(opt)) debug = true;
  }
  return debug;
}

/** `options`: the command's option arguments in order. `stop`: 'c' for -c, 'S' for -S. */
export function writesSplitDwarf(options: readonly string[], family: CompilerFamily, stop: 'c' | 'S'): boolean {
  let split = false;
  for (const opt of options) {
    if (opt === '-gsplit-dwarf') split = true;
    else if (opt === '-gno-split-dwarf') split = false;
    else if (family === 'clang' && opt.startsWith('-gsplit-dwarf=')) split = opt === '-gsplit-dwarf=split';
  }
  return family === 'gcc' ? split && stop === 'c' : split && emitsDebugInfo(options);
}
