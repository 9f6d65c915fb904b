export interface HostToken {
  readonly text: string;
  /** 1-based line in the source text, for `path:line` in messages. */
  readonly line: number;
}

/** Entries are separated by any whitespace; `#` starts a comment that runs to the end of its line. */
export function splitHostTokens(text: string): HostToken[] {
  const tokens: HostToken[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const hash = rawLine.indexOf('#');
    const line = hash === -1 ? rawLine : rawLine.slice(0, hash);
    for (const word of line.split(/\s+/)) {
      if (word !== '') tokens.push({ text: word, line: index + 1 });
    }
  });
  return tokens;
}
