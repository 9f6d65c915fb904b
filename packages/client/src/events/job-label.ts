import { relative } from 'node:path';

/**
 * What a monitor and a trace call a job: its output as the build named it (relative to the build's
 * cwd when under it), else the last plain argument (the source of a `-E`, a link's inputs' last).
 */
export function jobLabel(cwd: string, argv: readonly string[], output?: string): string {
  if (output !== undefined) return shownPath(cwd, output);
  const dashO = argv.findIndex((arg, i) => i > 0 && arg === '-o');
  if (dashO > 0 && argv[dashO + 1] !== undefined) return argv[dashO + 1] as string;
  const joined = argv.slice(1).find((arg) => arg.startsWith('-o') && arg.length > 2);
  if (joined !== undefined) return joined.slice(2);
  const plain = argv.slice(1).filter((arg) => !arg.startsWith('-'));
  return plain[plain.length - 1] ?? (argv[0] as string);
}

function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
