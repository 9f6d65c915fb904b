// Whether a volunteer's gcc diagnostics are what gcc here would print, so that a compile that warns or
// fails needs no second run here. The volunteer rebuilds the source files from the preprocessed stream
// (ARCHITECTURE.md, "Diagnostics"); what is left is decided here, from facts the agent has.

/** Why a volunteer's diagnostics are not shown as they came: the departure that reruns the compile here. */
export type InexactDiagnostics =
  | 'diagnostics' // the lines were not checked (an older client), not rebuilt (an older server), or colours differ
  | 'format-diagnostics' // gcc's format-string positions need source read without line markers
  | 'preprocessor-diagnostics'; // cpp spoke too: gcc -c interleaves its words with the compile's

export interface RemoteDiagnostics {
  /** The compile's arguments as the volunteer got them. */
  readonly args: readonly string[];
  /** The volunteer's stderr (and stdout: -fdiagnostics-format=json may print there). */
  readonly printed: string;
  /** The volunteer compiled in a mirror of every source file (ResultSchema `mirrored`). */
  readonly mirrored: boolean;
  /** The client checked every line of the preprocessed source against its file. */
  readonly linesChecked: boolean;
  /** What the preprocessor here printed. */
  readonly preprocessorStderrBytes: number;
  /** The colours gcc here would use differ from the default palette the volunteer uses (GCC_COLORS). */
  readonly ownPalette: boolean;
}

/**
 * gcc finds the column of a directive inside a format string by lexing the source line again, and
 * refuses to once it has seen a line marker (input.cc: "seen line directive"), which a preprocessed
 * compile always has: -Wformat's carets and fix-it hints then point at the whole string instead.
 */
const FORMAT_WARNING = /-W(?:error=)?format/;

/** null: show the volunteer's diagnostics as they are; else the departure that reruns the compile here. */
export function inexactDiagnostics(remote: RemoteDiagnostics): InexactDiagnostics | null {
  if (remote.preprocessorStderrBytes > 0) return 'preprocessor-diagnostics';
  if (!remote.mirrored || !remote.linesChecked || remote.ownPalette) return 'diagnostics';
  // Without the option named in brackets a format warning cannot be told from another.
  const optionsShown = !remote.args.some((arg) => arg === '-fno-diagnostics-show-option');
  if (remote.printed.length > 0 && (!optionsShown || FORMAT_WARNING.test(remote.printed))) return 'format-diagnostics';
  return null;
}

/**
 * What gcc here would decide about colour, made explicit for the volunteer, whose stderr is a pipe: with
 * colour left to gcc (no flag, or `=auto`), gcc colours a terminal whose TERM is set and not "dumb".
 * Returns the flag to add (or null) and whether the colours would still differ (a GCC_COLORS palette).
 */
export function volunteerColour(args: readonly string[], env: Readonly<Record<string, string | undefined>>, stderrIsTerminal: boolean): { flag: string | null; ownPalette: boolean } {
  let setting = 'auto';
  for (const arg of args) {
    if (arg === '-fdiagnostics-color') setting = 'always';
    else if (arg === '-fno-diagnostics-color' || arg === '-fdiagnostics-plain-output') setting = 'never';
    else if (arg.startsWith('-fdiagnostics-color=')) setting = arg.slice('-fdiagnostics-color='.length);
  }
  const term = env.TERM;
  const colours = setting === 'always' || (setting === 'auto' && stderrIsTerminal && term !== undefined && term !== '' && term !== 'dumb');
  return { flag: setting === 'auto' && colours ? '-fdiagnostics-color=always' : null, ownPalette: colours && env.GCC_COLORS !== undefined };
}
