import { analyzeArgs, type RemoteAnalysis } from '@sshcc/core';
import type { JobResult } from '@sshcc/protocol';
import { remoteResult } from '../events/test-scenario';
import { departureOfError, departureOfResult } from './attempt-departure';

function analysed(...args: string[]): RemoteAnalysis {
  const analysis = analyzeArgs(['gcc', '-c', 'a.c', '-o', 'a.o', ...args], { cwd: '/src', env: {} });
  if (analysis.mode !== 'remote') throw new Error(`expected a remote analysis: ${analysis.detail}`);
  return analysis;
}

function result(fields: Partial<JobResult>): JobResult {
  return { ...remoteResult(10), outputs: new Map([['a.o', Buffer.from('obj')]]), ...fields };
}

const warning = Buffer.from("a.c:1:1: warning: unused\n");

describe('departureOfResult', () => {
  it.each<[string, Partial<JobResult>, string[], string | null]>([
    ['a clean compile is the answer', {}, [], null],
    ['a failed compile reruns here', { exitCode: 1, stderr: Buffer.from('error') }, [], 'compile-error'],
    ['a compiler killed by a signal is the host\'s fault', { exitCode: null, signal: 'SIGSEGV' }, [], 'remote-crash'],
    ['gcc warnings with quotes rerun here', { stderr: warning }, [], 'diagnostics'],
    ['gcc warnings without quotes are the answer', { stderr: warning }, ['-fno-diagnostics-show-caret'], null],
    ['the last caret switch decides', { stderr: warning }, ['-fno-diagnostics-show-caret', '-fdiagnostics-show-caret'], 'diagnostics'],
    ['plain output has no quotes', { stderr: warning }, ['-fdiagnostics-plain-output'], null],
    ['no object is no answer', { outputs: new Map() }, [], 'missing-output'],
    ['refused', { kind: 'refused', exitCode: null, message: 'unsafe option' }, [], 'job-refused'],
    ['limit', { kind: 'limit', exitCode: null, message: 'too big' }, [], 'limit-exceeded'],
    ['compiler-missing', { kind: 'compiler-missing', exitCode: null }, [], 'compiler-missing'],
    ['compiler-mismatch', { kind: 'compiler-mismatch', exitCode: null }, [], 'compiler-mismatch'],
    ['remote-failed', { kind: 'remote-failed', exitCode: null }, [], 'remote-failed'],
    ['timeout', { kind: 'timeout', exitCode: null }, [], 'timeout'],
    ['cancelled', { kind: 'cancelled', exitCode: null }, [], 'cancelled'],
  ])('%s', (_name, fields, args, departure) => {
    expect(departureOfResult(analysed(...args), result(fields))?.departure ?? null).toBe(departure);
  });

  it('says what was missing and passes a refusal\'s own words on', () => {
    expect(departureOfResult(analysed(), result({ outputs: new Map() }))).toEqual({ departure: 'missing-output', detail: 'the volunteer returned no /src/a.o' });
    expect(departureOfResult(analysed(), result({ kind: 'refused', exitCode: null, message: 'no -fplugin' }))).toEqual({
      departure: 'job-refused',
      detail: 'refused: no -fplugin',
      message: 'no -fplugin',
    });
  });
});

describe('departureOfError', () => {
  it.each<[string | undefined, string]>([
    ['connect', 'connect'],
    ['host-key', 'host-key'],
    ['protocol', 'protocol'],
    ['usage', 'unexpected'],
    ['internal', 'unexpected'],
    ['link', 'unexpected'],
    [undefined, 'unexpected'],
  ])('%s → %s', (code, departure) => {
    expect(departureOfError(code)).toBe(departure);
  });
});
