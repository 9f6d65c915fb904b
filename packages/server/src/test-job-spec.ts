// Test-only (excluded from the build): the gcc job the server tests send, so each test names only
// what its job has of its own (file names, environment, time limit...). The e2e tests in test/ use it too.

import type { JobSpec } from '@sshcc/protocol';
import { fingerprintCompiler } from '@sshcc/store';

/**
 * A job that compiles C with `gcc -c -O2` in an empty environment, a 60 s limit, no size announced for
 * its source, and `cwd` as the client dir it reads as. The fingerprint is this machine's own, of the
 * compiler `fields` names (gcc unless it names another), so the server compiles it; a test that wants
 * a compiler this machine lacks spreads it over the result.
 */
export async function gccJobSpec(cwd: string, fields: Partial<JobSpec> & Pick<JobSpec, 'input' | 'output'>): Promise<JobSpec> {
  const compiler = fields.compiler ?? 'gcc';
  return {
    compiler,
    fingerprint: await fingerprintCompiler(compiler),
    args: ['-c', '-O2'],
    lang: 'c',
    extraOutputs: [],
    cwd,
    env: {},
    timeLimitSeconds: 60,
    sourceBytes: null,
    ...fields,
  };
}

/** The job slowSource() goes out as: a limit far past its compile, so only the test stops it. */
export function slowJobSpec(cwd: string): Promise<JobSpec> {
  return gccJobSpec(cwd, { input: 'slow.c', output: 'slow.o', timeLimitSeconds: 300 });
}
