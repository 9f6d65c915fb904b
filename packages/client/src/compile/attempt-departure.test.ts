import { analyzeArgs, type InexactDiagnostics, type RemoteAnalysis } from '@sshcc/core';
import type { JobResult, JobSpec } from '@sshcc/protocol';
import { remoteResult } from '../events/test-scenario';
import type { CapturedRun } from '../wire/messages';
import { departureOfError, departureOfResult, inexactOf } from './attempt-departure';

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
  it.each<[string, Partial<JobResult>, InexactDiagnostics | null, string | null]>([
    ['a clean compile is the answer', {}, null, null],
    ['gcc warnings with exact diagnostics are the answer', { stderr: warning }, null, null],
    ['a gcc failure with exact diagnostics is the answer, without an object', { exitCode: 1, stderr: Buffer.from('error'), outputs: new Map() }, null, null],
    ['gcc warnings that may read otherwise rerun here', { stderr: warning }, 'diagnostics', 'diagnostics'],
    ['a gcc failure that may read otherwise reruns here', { exitCode: 1, stderr: Buffer.from('error') }, 'diagnostics', 'compile-error'],
    ['a -Wformat warning reruns here', { stderr: warning }, 'format-diagnostics', 'format-diagnostics'],
    ['cpp having spoken reruns here', { stderr: warning }, 'preprocessor-diagnostics', 'preprocessor-diagnostics'],
    ['a clean compile ignores the diagnostics verdict', {}, 'diagnostics', null],
    ["a compiler killed by a signal is the host's fault", { exitCode: null, signal: 'SIGSEGV' }, null, 'remote-crash'],
    ['no object is no answer', { outputs: new Map() }, null, 'missing-output'],
    ['refused', { kind: 'refused', exitCode: null, message: 'unsafe option' }, null, 'job-refused'],
    ['limit', { kind: 'limit', exitCode: null, message: 'too big' }, null, 'limit-exceeded'],
    ['compiler-missing', { kind: 'compiler-missing', exitCode: null }, null, 'compiler-missing'],
    ['compiler-mismatch', { kind: 'compiler-mismatch', exitCode: null }, null, 'compiler-mismatch'],
    ['remote-failed', { kind: 'remote-failed', exitCode: null }, null, 'remote-failed'],
    ['timeout', { kind: 'timeout', exitCode: null }, null, 'timeout'],
    ['cancelled', { kind: 'cancelled', exitCode: null }, null, 'cancelled'],
  ])('%s', (_name, fields, inexact, departure) => {
    expect(departureOfResult(analysed(), result(fields), inexact)?.departure ?? null).toBe(departure);
  });

  it('reruns a failed clang compile here, for the words of its own first step', () => {
    const clang = analyzeArgs(['clang', '-c', 'a.c', '-o', 'a.o'], { cwd: '/src', env: {} });
    if (clang.mode !== 'remote') throw new Error('expected a remote analysis');
    expect(departureOfResult(clang, result({ exitCode: 1, stderr: Buffer.from('error') }), null)?.departure).toBe('compile-error');
  });

  it("says what was missing and passes a refusal's own words on", () => {
    expect(departureOfResult(analysed(), result({ outputs: new Map() }), null)).toEqual({ departure: 'missing-output', detail: 'the volunteer returned no /src/a.o' });
    expect(departureOfResult(analysed(), result({ kind: 'refused', exitCode: null, message: 'no -fplugin' }), null)).toEqual({
      departure: 'job-refused',
      detail: 'refused: no -fplugin',
      message: 'no -fplugin',
    });
  });
});

describe('inexactOf', () => {
  const run = (fields: Partial<CapturedRun>): CapturedRun => ({ exitCode: 0, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), linesChecked: true, ...fields });
  const request = { argv: ['gcc'], argv0: 'sshcc', cwd: '/src', env: {}, umask: 0o22, clientExe: '' };
  const spec = { args: ['-c', '-fdirectives-only'] } as JobSpec;
  it.each<[string, Partial<JobResult>, CapturedRun | null, InexactDiagnostics | null]>([
    ['a mirrored compile of checked lines', { stderr: warning, mirrored: true }, run({}), null],
    ['no mirror (decided without waiting for cpp)', { stderr: warning }, null, 'diagnostics'],
    ['lines not checked (an older client)', { stderr: warning, mirrored: true }, run({ linesChecked: undefined }), 'diagnostics'],
    ['cpp spoke', { stderr: warning, mirrored: true }, run({ stderr: Buffer.from('#warning') }), 'preprocessor-diagnostics'],
    ['cpp failed', { stderr: warning, mirrored: true }, null, 'preprocessor-diagnostics'],
  ])('%s', async (_name, fields, preprocessed, expected) => {
    expect(await inexactOf(request, analysed(), spec, result(fields), Promise.resolve(preprocessed))).toBe(expected);
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
