// The files a preprocessor read, as its output says: gcc (-fdirectives-only) and clang
// (-frewrite-includes) both mark each file they enter with a line marker, `# <line> "<name>" <flags>`,
// naming it as they opened it (relative to the cwd, or absolute). The direct cache (./direct-cache.ts)
// records these files, so that a later compile can tell, from their stat and hash, that cpp would read
// the same bytes again.

/** Pseudo-files cpp names in markers; no file on disk is read for them. */
const PSEUDO_FILES: ReadonlySet<string> = new Set(['<built-in>', '<command-line>', '<stdin>']);

const NEWLINE = 0x0a;
const HASH = 0x23;
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Every file named by a line marker of `preprocessed`, once each, in the order first named; null when a
 * marker's name cannot be read for certain (an escape cpp does not write, no closing quote, bytes that
 * are not UTF-8): a caller in doubt must not trust the list.
 */
export function includedFiles(preprocessed: Uint8Array): string[] | null {
  const bytes = Buffer.from(preprocessed.buffer, preprocessed.byteOffset, preprocessed.byteLength);
  const seen = new Set<string>();
  // The same name recurs in hundreds of markers (gcc's `<built-in>` before each predefined macro): each
  // raw spelling is read once.
  const spellings = new Set<string>();
  // Only lines that start with `# ` can be markers: found by a byte search, not line by line.
  for (let start = bytes[0] === HASH ? 0 : nextLine(bytes, 0); start !== -1; start = nextLine(bytes, start)) {
    const end = lineEnd(bytes, start);
    const quoted = markerQuote(bytes, start, end);
    if (quoted === -1) continue;
    const close = plainClose(bytes, quoted, end);
    const spelling = close === -1 ? null : bytes.toString('latin1', quoted, close);
    if (spelling !== null && spellings.has(spelling)) continue;
    const name = spelling ?? quotedName(bytes, quoted, end);
    if (name === null || name === '') return null;
    if (spelling !== null) spellings.add(spelling);
    if (!PSEUDO_FILES.has(name)) seen.add(name);
  }
  return [...seen];
}

const LINE_MARK = Buffer.from('\n# ');

/** The start of the next line after `from` that begins with `# `; -1 when none is left. */
function nextLine(bytes: Buffer, from: number): number {
  const found = bytes.indexOf(LINE_MARK, from);
  return found === -1 ? -1 : found + 1;
}

function lineEnd(bytes: Buffer, start: number): number {
  const end = bytes.indexOf(NEWLINE, start);
  return end === -1 ? bytes.length : end;
}

/** Where a marker line's name starts (after `# <digits> "`); -1 for any other line. */
function markerQuote(bytes: Buffer, start: number, end: number): number {
  if (bytes[start + 1] !== SPACE) return -1;
  let at = start + 2;
  const digits = at;
  while (at < end && isDigit(bytes[at] as number)) at++;
  return at === digits || bytes[at] !== SPACE || bytes[at + 1] !== QUOTE ? -1 : at + 2;
}

/** The closing quote of a name of plain ASCII with no escape (what nearly every name is); -1 otherwise. */
function plainClose(bytes: Buffer, from: number, end: number): number {
  for (let at = from; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte === QUOTE) return at;
    if (byte === BACKSLASH || byte >= 0x80) return -1;
  }
  return -1;
}

/**
 * cpp writes a name with `\\` and `\"` escaped and other unprintable bytes as three octal digits
 * (`\ooo`); anything else after a backslash is not cpp's and puts the marker in doubt.
 */
function quotedName(bytes: Buffer, start: number, end: number): string | null {
  const out: number[] = [];
  for (let at = start; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte === QUOTE) return utf8(Buffer.from(out));
    if (byte !== BACKSLASH) {
      out.push(byte);
      continue;
    }
    const next = bytes[at + 1] as number;
    if (next === BACKSLASH || next === QUOTE) {
      out.push(next);
      at++;
    } else if (isOctal(next) && isOctal(bytes[at + 2] as number) && isOctal(bytes[at + 3] as number)) {
      const value = Number.parseInt(bytes.toString('latin1', at + 1, at + 4), 8);
      if (value > 0xff) return null;
      out.push(value);
      at += 3;
    } else {
      return null;
    }
  }
  return null;
}

/** The name as a string, or null when its bytes are not UTF-8 (a string would not name the same file). */
function utf8(name: Buffer): string | null {
  const text = name.toString('utf8');
  return Buffer.from(text, 'utf8').equals(name) && text.length > 0 ? text : null;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function isOctal(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x37;
}
