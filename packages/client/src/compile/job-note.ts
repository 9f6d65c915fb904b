import { relative } from 'node:path';

/** Where one compile ended up, and why: the line SSHCC_VERBOSE prints and SSHCC_LOG appends. */
export type JobPlace =
  | { readonly kind: 'remote'; readonly host: string; readonly ms: number }
  | { readonly kind: 'local'; readonly why: string };

export function jobNote(cwd: string, output: string | undefined, argv0: string, place: JobPlace): string {
  const what = output === undefined ? argv0 : shownPath(cwd, output);
  return place.kind === 'remote'
    ? `sshcc: ${what}: compiled on ${place.host} (${Math.round(place.ms)} ms)`
    : `sshcc: ${what}: compiled locally: ${place.why}`;
}

/** Relative to the build's cwd when the file lies under it, as make printed it; else absolute. */
function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
