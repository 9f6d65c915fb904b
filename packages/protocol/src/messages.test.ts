import {
  EndSchema,
  JobRequestSchema,
  ResultSchema,
  ServerHelloSchema,
  decodeControl,
  type JobRequest,
} from '@sshcc/protocol';
import { testJobRequest } from './test-job';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('control messages', () => {
  it('accepts a well-formed job request and drops unknown fields', () => {
    const request = decodeControl('job', JobRequestSchema, json({ ...testJobRequest(), future: 'field' }));
    expect(request).toEqual(testJobRequest());
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['args as a string', { args: '-c' }, 'invalid job message: args: Invalid input: expected array, received string'],
    ['a fractional id', { id: 1.5 }, 'invalid job message: id: Invalid input: expected int, received number'],
    ['an unknown language', { lang: 'fortran' }, 'invalid job message: lang: Invalid option: expected one of "c"|"c++"|"objective-c"|"objective-c++"|"cpp-output"|"c++-cpp-output"|"objective-c-cpp-output"|"objective-c++-cpp-output"|"assembler"|"assembler-with-cpp"'],
    ['an environment variable other than the locale', { env: { LD_PRELOAD: '/tmp/x.so' } }, 'invalid job message: env.LD_PRELOAD: Invalid key in record'],
    ['a short fingerprint hash', { fingerprint: { ...testJobRequest().fingerprint, driver: 'abc' } }, 'invalid job message: fingerprint.driver: Invalid string: must match pattern /^[0-9a-f]{64}$/'],
    ['a missing output', { output: undefined }, 'invalid job message: output: Invalid input: expected string, received undefined'],
    ['a zero time limit', { timeLimitSeconds: 0 }, 'invalid job message: timeLimitSeconds: Too small: expected number to be >=1'],
  ])('refuses a job request with %s', (_what, change, message) => {
    const request: Record<string, unknown> = { ...testJobRequest(), ...change };
    expect(() => decodeControl('job', JobRequestSchema, json(request as Partial<JobRequest>))).toThrow(message);
  });

  it('refuses a payload that is not JSON', () => {
    expect(() => decodeControl('hello', ServerHelloSchema, Buffer.from('{"protocols": [1'))).toThrow(
      'invalid hello message: not JSON',
    );
  });

  it('refuses a hello with mistyped fields', () => {
    const hello = { protocols: [1], server: '0.1.0', cpus: 'two', load: [], compilers: [], compression: ['zstd'] };
    expect(() => decodeControl('hello', ServerHelloSchema, json(hello))).toThrow(
      'invalid hello message: cpus: Invalid input: expected number, received string',
    );
  });

  it('refuses a hello that names no server version (sshcc ping would print it blank)', () => {
    const hello = { protocols: [1], server: '', cpus: 2, load: [0, 0, 0], compilers: [], compression: ['zstd'] };
    expect(() => decodeControl('hello', ServerHelloSchema, json(hello))).toThrow('invalid hello message: server: Too small');
  });

  it('refuses a result whose stderr is not base64', () => {
    const result = {
      id: 1,
      kind: 'compiled',
      exitCode: 0,
      signal: null,
      stdout: '',
      stderr: 'not base64!',
      message: '',
      timings: { receiveMs: 1, compileMs: 1, totalMs: 2 },
    };
    expect(() => decodeControl('result', ResultSchema, json(result))).toThrow('invalid result message: stderr:');
  });

  it('refuses a negative byte count', () => {
    expect(() => decodeControl('end', EndSchema, json({ id: 1, bytes: -1 }))).toThrow(
      'invalid end message: bytes: Too small: expected number to be >=0',
    );
  });
});
