import { MAX_NAME_CHARS } from '@sshcc/protocol';

/**
 * A file name that stays inside the job dir and cannot be read as an option: no `/`, no `..`, no NUL,
 * no leading `-`, not empty, and no leading `@` (gcc and clang read `@name` as "the options in file
 * `name`" when such a file exists).
 */
export function isPlainName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_NAME_CHARS &&
    !name.includes('/') &&
    !name.includes('..') &&
    !name.includes('\0') &&
    name !== '.' &&
    !name.startsWith('-') &&
    !name.startsWith('@')
  );
}
