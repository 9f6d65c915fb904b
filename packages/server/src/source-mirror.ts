// gcc quotes the source line under a diagnostic by opening the file its line markers name and reading
// that line. On a volunteer those files are absent (or are other versions of the same headers), so the
// preprocessed stream itself is turned back into them: directives-only output keeps every line the
// compile can point at (the client checked each against its own files), at the line its marker says.
// Absolute paths are moved under the job's mirror root, so that a volunteer's own /usr/include is never
// quoted; the caller maps the root back out of everything the compiler prints and of the object.

/** A file the stream came from: its path as the marker named it, and its lines (index 0 is line 1). */
export interface MirroredFile {
  readonly path: string;
  readonly text: Buffer;
}

const NEWLINE = 0x0a;
const LINE_MARKER = /^# (\d+) "((?:[^"\\]|\\.)*)"/;

/** A run of consecutive lines of one file, as they came. */
interface Segment {
  readonly start: number;
  readonly lines: number;
  readonly bytes: Buffer[];
}

/**
 * Reads a directives-only stream as it passes to the compiler: `rewrite` returns each chunk with the
 * absolute paths of its markers moved under `root` (complete lines only; the rest comes with the next
 * chunk or `end`), and `files()` gives every source file's lines once the stream has ended.
 */
export class SourceMirror {
  private readonly segments = new Map<string, Segment[]>();
  private readonly escapedRoot: Buffer;
  private carry: Buffer = Buffer.alloc(0);
  private current: { file: string; start: number; lines: number; bytes: Buffer[] } | null = null;

  constructor(root: string) {
    this.escapedRoot = Buffer.from(escapeMarkerPath(root));
  }

  rewrite(chunk: Buffer): Buffer {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const lastNewline = data.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      this.carry = data;
      return Buffer.alloc(0);
    }
    this.carry = data.subarray(lastNewline + 1);
    return this.lines(data.subarray(0, lastNewline + 1));
  }

  /** The last, unterminated line, if any; the stream has ended. */
  end(): Buffer {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    let out = rest;
    if (rest.length > 0) {
      const whole = this.lines(Buffer.concat([rest, Buffer.from('\n')]));
      out = whole.subarray(0, whole.length - 1);
    }
    this.closeSegment();
    return out;
  }

  /** Each file's text, lines at the numbers the markers gave them; a line the stream lacked is empty. */
  files(): MirroredFile[] {
    return [...this.segments].map(([path, segments]) => ({ path, text: joinSegments(segments) }));
  }

  /** Whole lines: markers switch files (and get the root), every other line belongs to the current file. */
  private lines(block: Buffer): Buffer {
    const out: Buffer[] = [];
    let from = 0;
    let textLines = 0;
    for (let pos = 0; pos < block.length; ) {
      const next = block.indexOf(NEWLINE, pos) + 1;
      const marker = block[pos] === 0x23 && block[pos + 1] === 0x20 ? LINE_MARKER.exec(block.toString('latin1', pos, next)) : null;
      if (marker) {
        this.addText(block.subarray(from, pos), textLines);
        out.push(block.subarray(from, pos), this.marker(block.subarray(pos, next), Number(marker[1]), marker[2] as string));
        from = next;
        textLines = 0;
      } else {
        textLines++;
      }
      pos = next;
    }
    this.addText(block.subarray(from), textLines);
    out.push(block.subarray(from));
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  private marker(line: Buffer, lineNumber: number, escapedPath: string): Buffer {
    this.closeSegment();
    const path = unescapeMarkerPath(escapedPath);
    // <built-in>, <command-line>, <stdin>: no file to quote.
    if (!path.startsWith('<')) this.current = { file: path, start: lineNumber, lines: 0, bytes: [] };
    if (!path.startsWith('/')) return line;
    // `# N "` is 3 + digits + 2 bytes: the root goes right after the opening quote.
    const quote = line.indexOf(0x22);
    return Buffer.concat([line.subarray(0, quote + 1), this.escapedRoot, line.subarray(quote + 1)]);
  }

  private addText(text: Buffer, lines: number): void {
    if (this.current === null || lines === 0) return;
    this.current.bytes.push(text);
    this.current.lines += lines;
  }

  private closeSegment(): void {
    const segment = this.current;
    this.current = null;
    if (segment === null || segment.lines === 0) return;
    const list = this.segments.get(segment.file) ?? [];
    list.push({ start: segment.start, lines: segment.lines, bytes: segment.bytes });
    this.segments.set(segment.file, list);
  }
}

/**
 * A file's segments in line order, gaps as empty lines. The usual case (each segment after the last)
 * joins the bytes as they came; a file entered again at lines already seen (included twice, with other
 * lines skipped each time) is merged line by line, a present line winning over an empty one.
 */
function joinSegments(segments: readonly Segment[]): Buffer {
  const inOrder = segments.every((segment, i) => i === 0 || segment.start >= (segments[i - 1] as Segment).start + (segments[i - 1] as Segment).lines);
  if (inOrder) {
    const parts: Buffer[] = [];
    let next = 1;
    for (const segment of segments) {
      if (segment.start > next) parts.push(Buffer.alloc(segment.start - next, NEWLINE));
      parts.push(...segment.bytes);
      next = segment.start + segment.lines;
    }
    return Buffer.concat(parts);
  }
  const lines: Buffer[] = [];
  for (const segment of segments) {
    const text = Buffer.concat(segment.bytes);
    let at = 0;
    for (let n = 0; n < segment.lines; n++) {
      const eol = text.indexOf(NEWLINE, at);
      const line = text.subarray(at, eol);
      const index = segment.start - 1 + n;
      if (index >= 0 && (lines[index] === undefined || (lines[index] as Buffer).length === 0)) lines[index] = line;
      at = eol + 1;
    }
  }
  return Buffer.concat(Array.from(lines, (line) => Buffer.concat([line ?? Buffer.alloc(0), Buffer.from('\n')])));
}

/** cpp writes `\\`, `\"` and non-printing bytes as octal escapes in a marker's path. */
export function unescapeMarkerPath(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped.charCodeAt(i);
    if (c !== 0x5c || i + 1 >= escaped.length) {
      bytes.push(c);
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(escaped.slice(i + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8) & 0xff);
      i += octal[0].length;
    } else {
      bytes.push(escaped.charCodeAt(i + 1));
      i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function escapeMarkerPath(path: string): string {
  return path.replace(/[\\"]/g, (c) => `\\${c}`);
}
