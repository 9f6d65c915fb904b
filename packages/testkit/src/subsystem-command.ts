import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The text after `Subsystem sshcc` for `serverCommand`. sshd splits that text into words, drops quotes and
 * backslashes, and joins the words with single spaces before handing them to the login shell, so
 * `sh -c 'a; b'` would arrive as `sh -c a; b`. A command that needs shell quoting is therefore written to
 * a small script in the volunteer's dir and the script's path is what sshd sees.
 */
export async function subsystemCommandLine(dir: string, serverCommand: string): Promise<string> {
  if (/[\r\n]/.test(serverCommand)) throw new Error(`testkit: serverCommand must be one line: ${JSON.stringify(serverCommand)}`);
  if (!/['"\\]/.test(serverCommand)) return serverCommand;
  const script = join(dir, 'sshcc-subsystem');
  await writeFile(script, `#!/bin/sh\nexec ${serverCommand}\n`, { mode: 0o755 });
  return script;
}
