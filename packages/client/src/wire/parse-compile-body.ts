import { COMPILE_BODY_FIXED_BYTES } from './wire-format';
import { MAX_ARGC, MAX_ENVC, MAX_STRING_BYTES } from './wire-limits';
import type { CompileRequest } from './messages';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks and parses a compile body: `umask | argc | envc`, then exactly 3 + argc + envc
 * NUL-terminated strings (argv0, cwd, exe, argv..., env...) and nothing after them. Returns why not
 * as a string. Strings must be UTF-8: anything else is refused, and the client then compiles locally.
 */
export function parseCompileBody(body: Buffer): CompileRequest | string {
  if (body.length < COMPILE_BODY_FIXED_BYTES) return 'compile body shorter than its fixed part';
  const umask = body.readUInt32BE(0);
  const argc = body.readUInt32BE(4);
  const envc = body.readUInt32BE(8);
  if (umask > 0o777) return `umask ${umask} is out of range`;
  if (argc < 1 || argc > MAX_ARGC) return `argc ${argc} is out of range`;
  if (envc > MAX_ENVC) return `envc ${envc} is out of range`;

  const count = 3 + argc + envc;
  const strings = splitStrings(body.subarray(COMPILE_BODY_FIXED_BYTES), count);
  if (typeof strings === 'string') return strings;
  const [argv0, cwd, clientExe] = strings as [string, string, string];
  const argv = strings.slice(3, 3 + argc);
  if (!cwd.startsWith('/')) return 'cwd is not absolute';
  if (clientExe !== '' && !clientExe.startsWith('/')) return 'client exe is not absolute';
  if (argv[0] === '') return 'the compiler name is empty';

  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of strings.slice(3 + argc)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) return 'an environment entry has no name';
    const name = entry.slice(0, eq);
    if (!(name in env)) env[name] = entry.slice(eq + 1); // getenv() returns the first of duplicates
  }
  return { argv, argv0, cwd, env, umask, clientExe };
}

function splitStrings(data: Buffer, count: number): string[] | string {
  const strings: string[] = [];
  let start = 0;
  while (strings.length < count) {
    const nul = data.indexOf(0, start);
    if (nul < 0) return `expected ${count} strings, found ${strings.length}`;
    if (nul - start > MAX_STRING_BYTES) return `a string of ${nul - start} bytes is over the limit`;
    try {
      strings.push(utf8.decode(data.subarray(start, nul)));
    } catch {
      return 'a string is not UTF-8';
    }
    start = nul + 1;
  }
  if (start !== data.length) return 'bytes after the last string';
  return strings;
}
