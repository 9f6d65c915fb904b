// `@file` arguments, expanded the way gcc (libiberty's expandargv/buildargv) and clang do it.
// Checked with gcc 12 and clang 14: nested @files are resolved against the cwd (not the including file's
// folder), a backslash escapes the next character even inside single quotes, and quotes may sit in the
// middle of a word (`-DT=x"y z"w` is one argument `-DT=xy zw`).

import * as path from 'node:path';

/** libiberty gives up after this many expansions, which also ends `@a` containing `@a`. */
export const MAX_RESPONSE_FILE_EXPANSIONS = 2000;

export interface ResponseFileExpansion {
  /** argv with every readable @file replaced by its arguments (argv[0] is never expanded). */
  readonly args: string[];
  /** `@file` arguments left as they were because the file could not be read (gcc keeps them literally). */
  readonly unreadable: string[];
}

export function expandResponseFiles(
  argv: readonly string[],
  cwd: string,
  readFile: ((path: string) => string) | undefined,
): ResponseFileExpansion {
  const args = [...argv];
  const unreadable: string[] = [];
  let expansions = 0;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('@') || arg.length === 1) continue;
    const text = expansions < MAX_RESPONSE_FILE_EXPANSIONS ? tryRead(readFile, path.resolve(cwd, arg.slice(1))) : null;
    if (text === null) {
      unreadable.push(arg);
      continue;
    }
    expansions++;
    args.splice(i, 1, ...splitResponseText(text));
    i--; // the inserted arguments may be @files themselves
  }
  return { args, unreadable };
}

function tryRead(readFile: ((path: string) => string) | undefined, file: string): string | null {
  if (!readFile) return null;
  try {
    return readFile(file);
  } catch {
    return null;
  }
}

/** Splits a response file's text into arguments with libiberty's buildargv rules. */
export function splitResponseText(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let inArg = false;
  let quote: "'" | '"' | null = null;
  let escaped = false;
  for (const ch of text) {
    if (!escaped && quote === null && isSpace(ch)) {
      if (inArg) out.push(current);
      current = '';
      inArg = false;
      continue;
    }
    inArg = true;
    if (escaped) {
      current += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (quote !== null) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else {
      current += ch;
    }
  }
  if (inArg) out.push(current);
  return out;
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}
