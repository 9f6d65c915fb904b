// The generic half of argv analysis: what a row of a compiler's option table says, and how an argument
// is matched against a table. The compiler knowledge itself lives in gcc-options.ts / clang-options.ts.

import type { LocalReason } from './types';

/** How an option takes its value: `-c` (none), `-o x` (separate), `-DX` (joined), `-I x` or `-Ix` (either). */
export type OptionValue = 'none' | 'separate' | 'joined' | 'either';

/**
 * Where an option goes once the command is split into a local preprocess step and a remote compile.
 * The analyzer acts on each effect; unknown options count as 'both'.
 */
export type OptionEffect =
  | 'both' // changes preprocessing (predefined macros, include paths) and code generation alike
  | 'preprocess' // only the local preprocess step needs it
  | 'compile' // only the compile needs it (options for the assembler)
  | 'link' // linker-only: no effect with -c/-S, so neither step gets it (clang's "unused" warning is lost)
  | 'ignore' // no effect with -c/-S, but in the -E step it would change the text (-P drops line markers)
  | 'deps' // dependency output (-MD, -MF ...): local preprocess step only
  | 'deps-only' // -M / -MM: imply -E, so nothing is compiled
  | 'wp' // -Wp,a,b: options for the preprocessor, which may include dependency options
  | 'assembler' // -Wa,a,b / -Xassembler a: compile only; listing options (-a*) force local
  | 'xclang' // -Xclang x: a clang cc1 option, some of which load plugins
  | 'output' // -o
  | 'lang' // -x
  | 'stop-c' // -c
  | 'stop-S' // -S
  | 'stop-E' // -E
  | 'verbose' // -v: prints what the driver does; alone it only prints the version
  | 'info' // --version, -print-*, -###: the driver answers without compiling
  | `local:${LocalReason}`;

export interface OptionRow {
  readonly flag: string;
  readonly value: OptionValue;
  readonly effect: OptionEffect;
}

export type OptionTable = readonly OptionRow[];

/** One option found in argv: its row, its value (if it takes one) and how many argv items it used. */
export interface OptionMatch {
  readonly row: OptionRow;
  readonly value: string | undefined;
  readonly consumed: 1 | 2;
}

/** A table ready for lookups. Rows are sorted so that a test can see at a glance that each flag is unique. */
export class OptionIndex {
  private readonly byFlag = new Map<string, OptionRow>();
  private readonly longest: number;

  constructor(readonly table: OptionTable) {
    for (const row of table) this.byFlag.set(row.flag, row);
    this.longest = Math.max(0, ...table.map((row) => row.flag.length));
  }

  /**
   * Matches `args[i]`. An exact flag wins over a prefix (`-undef` is not `-u ndef`), and among prefixes the
   * longest wins (`-Wa,` before `-W`). Returns null for an unknown option; a separate value missing at the
   * end of argv is returned as undefined, and gcc then complains itself.
   */
  match(args: readonly string[], i: number): OptionMatch | null {
    const arg = args[i];
    const exact = this.byFlag.get(arg);
    if (exact) {
      if (exact.value === 'separate' || exact.value === 'either') {
        return { row: exact, value: args[i + 1], consumed: i + 1 < args.length ? 2 : 1 };
      }
      return { row: exact, value: exact.value === 'joined' ? '' : undefined, consumed: 1 };
    }
    for (let len = Math.min(arg.length - 1, this.longest); len >= 2; len--) {
      const row = this.byFlag.get(arg.slice(0, len));
      if (row && (row.value === 'joined' || row.value === 'either')) {
        return { row, value: arg.slice(len), consumed: 1 };
      }
    }
    return null;
  }
}

/**
 * A family's table built on another's: rows with the same flag replace the base row, new rows are added.
 * The result is sorted like every table.
 */
export function extendOptions(base: OptionTable, rows: OptionTable): OptionTable {
  const byFlag = new Map<string, OptionRow>();
  for (const row of base) byFlag.set(row.flag, row);
  for (const row of rows) byFlag.set(row.flag, row);
  return [...byFlag.values()].sort((a, b) => compareFlags(a.flag, b.flag));
}

/** The order tables are kept in: plain code-unit order, so a reader can find a flag by eye. */
export function compareFlags(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first row that is not strictly after its predecessor, or -1 when sorted and unique. */
export function firstUnsortedRow(table: OptionTable): number {
  for (let i = 1; i < table.length; i++) {
    if (compareFlags(table[i - 1].flag, table[i].flag) >= 0) return i;
  }
  return -1;
}
