import { readdirSync } from 'node:fs';
import { delimiter, isAbsolute } from 'node:path';
import type { CompilerAllowlist } from './allowlist';
import { resolveCompiler } from '@sshcc/store';

/** The allowed compiler names found on `searchPath`, sorted (the hello's list; --check's too). */
export function listCompilers(allowlist: CompilerAllowlist, searchPath: string | undefined): string[] {
  const names = new Set<string>();
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) if (allowlist.allows(entry)) names.add(entry);
  }
  return [...names].filter((name) => resolveCompiler(name, searchPath) !== null).sort();
}
