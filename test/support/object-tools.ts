import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from './split-compile';

/** Runs `use` on `object` written to a scratch file, removed afterwards. */
function withObjectFile<T>(object: Buffer, use: (path: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'sshcc-object-'));
  try {
    const path = join(dir, 'object.o');
    writeFileSync(path, object);
    return use(path, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The object without its debug sections: its code and data. */
export function stripped(object: Buffer): Buffer {
  return withObjectFile(object, (path, dir) => {
    mustRun(['objcopy', '--strip-debug', path, `${path}.stripped`], dir);
    return readFileSync(`${path}.stripped`);
  });
}

/** `readelf <option>` of the object, with the scratch file's name taken out. */
export function readelf(option: string, object: Buffer): string {
  return withObjectFile(object, (path, dir) => mustRun(['readelf', option, path], dir).toString().replaceAll(path, '<object>'));
}
