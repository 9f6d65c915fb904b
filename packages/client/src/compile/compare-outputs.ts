import { createHash } from 'node:crypto';

/** One output of a verified job: its sha256 from the volunteer and from here (null: this machine wrote none). */
export interface ComparedOutput {
  readonly name: string;
  readonly remote: string;
  readonly local: string | null;
}

export interface Comparison {
  readonly same: boolean;
  readonly outputs: readonly ComparedOutput[];
}

/** The volunteer's outputs against this machine's, by the job's output names (the object first). */
export function compareOutputs(names: readonly string[], remote: ReadonlyMap<string, Buffer>, local: ReadonlyMap<string, Buffer>): Comparison {
  const outputs = names.map((name) => {
    const here = local.get(name);
    return { name, remote: sha256(remote.get(name) ?? Buffer.alloc(0)), local: here === undefined ? null : sha256(here) };
  });
  return { same: outputs.every((output) => output.local === output.remote), outputs };
}

/** The agent log's words: each output with both hashes. */
export function describeOutputs(comparison: Comparison): string {
  return comparison.outputs
    .map((output) => `${output.name}: volunteer sha256 ${output.remote}, here ${output.local === null ? 'none (the compile here wrote none)' : `sha256 ${output.local}`}`)
    .join('; ');
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
