import type { HostSource } from './types';

/** How a source is named in messages: `SSHCC_HOSTS`, a file's path, or `no host list`. */
export function hostSourceLabel(source: HostSource): string {
  switch (source.kind) {
    case 'env':
      return source.name;
    case 'file':
      return source.path;
    case 'none':
      return 'no host list';
  }
}

/** Prefix of a message about one entry: `SSHCC_HOSTS` or `path:line` (files are edited by line). */
export function hostLocation(source: HostSource, line: number): string {
  return source.kind === 'file' ? `${source.path}:${line}` : hostSourceLabel(source);
}
