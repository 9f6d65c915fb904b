// Characters a POSIX shell passes through unquoted; anything else is single-quoted so the line can be pasted.
const PLAIN = /^[A-Za-z0-9_./:=+,@%^-]+$/;

/** One argument as a shell would need it typed. */
export function shellQuoteArg(arg: string): string {
  return PLAIN.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one pasteable shell line. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(shellQuoteArg).join(' ');
}
