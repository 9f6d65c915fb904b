import type { CompilerFingerprint, JobRequest, ResultMessage } from './messages';
import type { PackFile, PackManifest } from './pack-manifest';

/** A fingerprint, a job request and its result that pass the schemas, for tests on either end. */
export const TEST_FINGERPRINT: CompilerFingerprint = {
  version: 'gcc (Debian 12.2.0-14+deb12u1) 12.2.0',
  target: 'x86_64-linux-gnu',
  driver: 'a'.repeat(64),
  cc1: 'b'.repeat(64),
  cc1plus: null,
};

export function testJobRequest(overrides: Partial<JobRequest> = {}): JobRequest {
  return {
    id: 1,
    compiler: 'gcc',
    fingerprint: TEST_FINGERPRINT,
    args: ['-c', '-O2'],
    lang: 'cpp-output',
    input: 'hello.i',
    output: 'hello.o',
    extraOutputs: [],
    cwd: '/home/me/project',
    env: { LANG: 'C.UTF-8' },
    timeLimitSeconds: 60,
    sourceBytes: null,
    ...overrides,
  };
}

/** Job 1 compiled: exit code 0, nothing on stdout or stderr, no time taken. */
export function testResultMessage(overrides: Partial<ResultMessage> = {}): ResultMessage {
  return {
    id: 1,
    kind: 'compiled',
    exitCode: 0,
    signal: null,
    stdout: '',
    stderr: '',
    message: '',
    timings: { receiveMs: 0, compileMs: 0, totalMs: 0 },
    ...overrides,
  };
}

/** A pack manifest of `files` that passes the schema when they hold an executable bin/cc and lib/ld.so. */
export function testPackManifest(files: PackFile[]): PackManifest {
  return { format: 1, fingerprint: TEST_FINGERPRINT, arch: 'x64', loader: 'lib/ld.so', driver: 'bin/cc', programs: 'libexec', libraries: 'lib', files };
}
