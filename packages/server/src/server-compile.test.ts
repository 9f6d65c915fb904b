import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '@sshcc/protocol';
import { gccJobSpec } from './test-job-spec';
import { jobLeftovers } from '@sshcc/testkit';
import { cleanUp, connect, startServer, testRoot } from './test-server';

afterEach(cleanUp);

const HELLO_C = '#include <stdio.h>\nstatic int twice(int x) { return 2 * x; }\nint main(void) { printf("%d\\n", twice(21)); return 0; }\n';
const BIG_CPP = `#include <iostream>
#include <map>
#include <vector>
#include <regex>
int main() {
  std::map<int, std::vector<std::string>> m;
  m[1].push_back("a");
  std::regex r("a+");
  std::cout << m.size() << std::regex_match("aa", r) << "\\n";
}
`;

/** `compiler -E` of `source` (named `name`, in `dir`), the way the agent preprocesses. */
function preprocess(dir: string, compiler: string, name: string, source: string, extra: string[] = []): Buffer {
  writeFileSync(join(dir, name), source);
  const run = spawnSync(compiler, ['-E', ...extra, name], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${compiler} -E failed: ${run.stderr}`);
  return run.stdout;
}

/** What a local compile of the same preprocessed source gives, in the client's own dir. */
function localCompile(dir: string, compiler: string, args: string[], lang: string, input: string, output: string) {
  const run = spawnSync(compiler, [...args, '-x', lang, input, '-o', output], { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
  return { status: run.status, stderr: run.stderr, object: run.status === 0 ? readFileSync(join(dir, output)) : null };
}

/** Diagnostics in C, to compare with a local compile's; a limit well past the C++ compile. */
function job(compiler: string, args: string[], lang: JobSpec['lang'], input: string, output: string, cwd: string): Promise<JobSpec> {
  return gccJobSpec(cwd, { compiler, args, lang, input, output, env: { LC_ALL: 'C' }, timeLimitSeconds: 120 });
}

describe('sshcc-server compiles', () => {
  it('says hello with its compilers, then compiles C to an object identical to a local gcc -c', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    expect(session.hello.server).toMatch(/^sshcc-server\/\d+\.\d+\.\d+$/);
    expect(session.hello.compilers).toEqual(expect.arrayContaining(['gcc', 'g++', 'cc']));
    expect(session.hello.compilers).not.toContain('gcc-ar');
    expect(session.compression).toBe('zstd');

    const source = preprocess(root, 'gcc', 'hello.c', HELLO_C);
    writeFileSync(join(root, 'hello.i'), source);
    const result = await session.runJob(await job('gcc', ['-c', '-O2'], 'cpp-output', 'hello.i', 'hello.o', root), source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0, signal: null, message: '' });
    expect(result.stderr.toString()).toBe('');
    const local = localCompile(root, 'gcc', ['-c', '-O2'], 'cpp-output', 'hello.i', 'local.o');
    expect(result.outputs.get('hello.o')).toEqual(local.object);
    expect(jobLeftovers(server.tmp)).toEqual([]);
  });

  it('compiles -g objects identical to a local build: the job dir reads as the client cwd', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const source = preprocess(root, 'gcc', 'hello.c', HELLO_C);
    writeFileSync(join(root, 'hello.i'), source);
    const result = await session.runJob(await job('gcc', ['-c', '-g', '-O1'], 'cpp-output', 'hello.i', 'hello.o', root), source);
    const local = localCompile(root, 'gcc', ['-c', '-g', '-O1'], 'cpp-output', 'hello.i', 'local.o');
    expect(result.outputs.get('hello.o')).toEqual(local.object);
  });

  it('compiles preprocessed C++ (iostream, map, vector, regex) to an object identical to a local g++ -c', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const source = preprocess(root, 'g++', 'big.cpp', BIG_CPP);
    expect(source.length).toBeGreaterThan(1_000_000);
    writeFileSync(join(root, 'big.ii'), source);
    const result = await session.runJob(await job('g++', ['-c', '-O1'], 'c++-cpp-output', 'big.ii', 'big.o', root), source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    const local = localCompile(root, 'g++', ['-c', '-O1'], 'c++-cpp-output', 'big.ii', 'local.o');
    expect(result.outputs.get('big.o')).toEqual(local.object);
  });

  it("returns a compile error as the compiler's own exit code and stderr, with no object", async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const source = preprocess(root, 'gcc', 'bad.c', 'int main(void) { return undeclared; }\n');
    const result = await session.runJob(await job('gcc', ['-c'], 'cpp-output', 'bad.i', 'bad.o', root), source);
    // gcc quotes the offending source line by re-reading the file its line markers name (bad.c),
    // which the volunteer does not have; compare with a local compile that lacks it too.
    const alone = join(root, 'alone');
    mkdirSync(alone);
    writeFileSync(join(alone, 'bad.i'), source);
    const local = localCompile(alone, 'gcc', ['-c'], 'cpp-output', 'bad.i', 'bad.o');
    expect(result).toMatchObject({ kind: 'compiled', exitCode: local.status, signal: null });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toContain("error: 'undeclared' undeclared");
    expect(result.stderr).toEqual(local.stderr);
    expect(result.outputs.size).toBe(0);
    expect(jobLeftovers(server.tmp)).toEqual([]);
  });

  it('answers compiler-missing for an allowed name this server lacks, whose build it has under no name', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const spec = await job('gcc', ['-c'], 'c', 'x.c', 'x.o', root);
    const result = await session.runJob({ ...spec, compiler: 'gcc-99', fingerprint: { ...spec.fingerprint, driver: '0'.repeat(64) } }, Buffer.from('int x;\n'));
    expect(result).toMatchObject({ kind: 'compiler-missing', exitCode: null, message: "gcc-99 is not on this server's PATH" });
  });

  it('matches a compiler by identity, not name: a name it lacks runs the compiler here with that fingerprint', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const spec = { ...(await job('gcc', ['-c'], 'c', 'x.c', 'x.o', root)), compiler: 'gcc-99' };
    const result = await session.runJob(spec, Buffer.from('int x;\n'));
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    expect(result.outputs.get('x.o')?.subarray(0, 4)).toEqual(Buffer.from('\x7fELF', 'latin1'));
  });

  it('answers compiler-mismatch without compiling when the fingerprints differ', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const spec = await job('gcc', ['-c'], 'c', 'x.c', 'x.o', root);
    const result = await session.runJob(
      { ...spec, fingerprint: { ...spec.fingerprint, cc1: '0'.repeat(64) } },
      Buffer.from('int x;\n'),
    );
    expect(result.kind).toBe('compiler-mismatch');
    expect(result.message).toBe(`gcc: cc1 binary differs (sha256 000000000000 on the client, ${spec.fingerprint.cc1?.slice(0, 12)} here)`);
    expect(result.outputs.size).toBe(0);
    expect(jobLeftovers(server.tmp)).toEqual([]);
  });

  it('refuses output names with / or .., and file-touching options, and keeps serving', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const spec = await job('gcc', ['-c'], 'c', 'x.c', 'x.o', root);
    const source = Buffer.from('int x;\n');
    expect(await session.runJob({ ...spec, output: '../x.o' }, source)).toMatchObject({
      kind: 'refused',
      message: 'file name "../x.o" is not a plain name inside the job dir',
    });
    expect(await session.runJob({ ...spec, extraOutputs: ['/etc/x.dwo'] }, source)).toMatchObject({
      kind: 'refused',
      message: 'file name "/etc/x.dwo" is not a plain name inside the job dir',
    });
    expect(await session.runJob({ ...spec, args: ['-c', '-fplugin=/tmp/evil.so'] }, source)).toMatchObject({
      kind: 'refused',
      message: 'option -fplugin=/tmp/evil.so is not allowed: it loads code into the compiler',
    });
    expect(await session.runJob({ ...spec, compiler: 'sh' }, source)).toMatchObject({
      kind: 'refused',
      message: 'compiler "sh" is not allowed on this server',
    });
    expect((await session.runJob(spec, source)).kind).toBe('compiled');
    expect(jobLeftovers(server.tmp)).toEqual([]);
  });

  it('runs 20 jobs in a row on one channel: no job leaves anything in its workspace, which goes with the channel', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server, { compression: 'none' });
    expect(session.compression).toBe('none');
    const spec = await job('gcc', ['-c', '-O2'], 'c', 'n.c', 'n.o', root);
    for (let i = 0; i < 20; i++) {
      const source = `int value${i}(void) { return ${i}; }\n`;
      const result = await session.runJob({ ...spec, output: `n${i}.o` }, Buffer.from(source));
      expect(result).toMatchObject({ id: i + 1, kind: 'compiled', exitCode: 0 });
      writeFileSync(join(root, 'n.c'), source);
      expect(result.outputs.get(`n${i}.o`)).toEqual(localCompile(root, 'gcc', ['-c', '-O2'], 'c', 'n.c', 'local.o').object);
    }
    expect(jobLeftovers(server.tmp)).toEqual([]);
    await session.close();
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toBe('');
    expect(readdirSync(server.tmp)).toEqual([]);
  });
});
