// The volunteer's two moments with its result cache: the lookup before it asks for the source, and the
// store after a successful compile. Neither may fail a job: a broken cache is a miss and no store.
import { readFile } from 'node:fs/promises';
import type { JobReply, JobRequest, OutputFile } from '@sshcc/protocol';
import type { CachedResult, ResultStore } from '@sshcc/store';

/** A hit under `key` as the job's reply (outputs under the names this request gave); null on a miss. */
export async function lookUpResult(store: ResultStore, key: string, request: JobRequest): Promise<JobReply | null> {
  const hit = await store.get(key).catch(() => null);
  const names = [request.output, ...request.extraOutputs];
  // The key covers the extra outputs' names, so a count that differs is a client that sent another's key.
  if (hit === null || hit.outputs.length !== names.length) return null;
  const outputs: OutputFile[] = hit.outputs.map((output, i) => ({ name: names[i] as string, data: output.data, size: output.data.length }));
  return { kind: 'compiled', exitCode: hit.exitCode, signal: null, stdout: hit.stdout, stderr: hit.stderr, compileMs: 0, cached: true, outputs };
}

/** Stores a compile that wrote every output the request named; false when it did not or could not. */
export async function storeResult(
  store: ResultStore,
  key: string,
  request: JobRequest,
  answer: Pick<CachedResult, 'exitCode' | 'stdout' | 'stderr'>,
  files: readonly OutputFile[],
): Promise<boolean> {
  const names = [request.output, ...request.extraOutputs];
  const byName = new Map(files.map((file) => [file.name, file]));
  if (answer.exitCode !== 0 || names.some((name) => !byName.has(name))) return false;
  try {
    const outputs = await Promise.all(
      names.map(async (name) => {
        const file = byName.get(name) as OutputFile;
        return { name, data: file.data ?? (await readFile(file.path as string)) };
      }),
    );
    return await store.put(key, { ...answer, outputs });
  } catch {
    return false;
  }
}
