import { relative } from 'node:path';
import { departureText } from '@sshcc/core';

/**
 * Where one compile ended up, and why: the line SSHCC_VERBOSE prints and SSHCC_LOG appends. A hit in
 * the agent's result cache is its own kind: no compiler ran, here or anywhere.
 */
export type CompilePlace =
  | { readonly kind: 'remote'; readonly host: string; readonly ms: number }
  | { readonly kind: 'local'; readonly why: string }
  | { readonly kind: 'cache'; readonly direct?: boolean };

/**
 * `sshcc: <what>: compiled on <host> (<ms> ms)`, `sshcc: <what>: compiled locally: <why>` or
 * `sshcc: <what>: answered from the result cache` (`… without running the preprocessor (direct mode)` for a
 * direct hit). Tools parse these three shapes (test/support/job-log.ts, test/ops-feed.test.ts,
 * bench/lib/sshcc.js, scripts/demo.js): change them together.
 */
export function compileNote(cwd: string, output: string | undefined, argv0: string, place: CompilePlace): string {
  const what = output === undefined ? argv0 : shownPath(cwd, output);
  switch (place.kind) {
    case 'remote':
      return `sshcc: ${what}: compiled on ${place.host} (${Math.round(place.ms)} ms)`;
    case 'local':
      return `sshcc: ${what}: compiled locally: ${place.why}`;
    case 'cache':
      return `sshcc: ${what}: ${departureText(place.direct === true ? 'agent-cache-direct' : 'agent-cache')}`;
  }
}

/** Relative to the build's cwd when the file lies under it, as make printed it; else absolute. */
function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
