import type { CompilerFingerprint, JobRequest } from './messages';

/** A fingerprint and a job request that pass the schemas, for tests on either end. */
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
