// What must hold after every fuzzed sequence, whatever the input was: the server finished, with 0 (the
// client closed cleanly between frames) or 113 (it broke the protocol, and was told why in an error frame),
// and everything it sent was well-formed. The caller adds what only the file system shows.

import type { FuzzObservation } from './fuzz-run';
import type { FuzzSequence } from './fuzz-sequences';

/** core's exit code for 'protocol': the server dropped a client that broke the protocol. */
export const EXIT_PROTOCOL = 113;

export function violations(sequence: FuzzSequence, seen: FuzzObservation): string[] {
  const found: string[] = [];
  const { output } = seen;
  if (seen.hung) found.push('the server did not finish after its input ended');
  if (seen.unanswered > 0) found.push(`${seen.unanswered} job(s) got no answer`);
  if (output.error) found.push(output.error);
  if (!seen.hung && !output.ended) found.push('the server finished without ending its output');
  const first = output.frames[0];
  if (first?.type !== 'hello') found.push(`the server's first frame was ${first?.type ?? 'missing'}, not its hello`);
  const errors = output.frames.filter((frame) => frame.type === 'error');
  if (seen.code === 0) {
    if (errors.length > 0) found.push(`exit 0 after sending an error frame: ${errors[0]?.text}`);
  } else if (seen.code === EXIT_PROTOCOL) {
    // The one case without an answer: the client's own error frame ended the exchange.
    const peerSaidSo = seen.stderr.includes('protocol: client: ');
    const last = output.frames[output.frames.length - 1];
    if (!peerSaidSo && last?.type !== 'error') found.push(`exit ${EXIT_PROTOCOL} without an error frame last (stderr: ${seen.stderr.trim()})`);
    if (errors.length > 1) found.push(`${errors.length} error frames`);
    if (!/^sshcc: protocol: .+\n$/.test(seen.stderr)) found.push(`stderr is not one "sshcc: protocol:" line: ${JSON.stringify(seen.stderr)}`);
  } else if (!seen.hung) {
    found.push(`exit ${seen.code ?? `by signal ${seen.signal}`}`);
  }
  if (sequence.mustCompile) {
    const results = output.frames.filter((frame) => frame.type === 'result').map((frame) => frame.text);
    const waits = sequence.steps.filter((step) => !Buffer.isBuffer(step)).length;
    if (results.length !== waits || results.some((text) => text !== 'compiled 0')) {
      found.push(`a valid session was answered ${JSON.stringify(results)} (${waits} jobs)`);
    }
  }
  return found;
}

/** A failure report that replays: seed, index and what the sequence was. */
export function describeFailure(seed: number, index: number, sequence: FuzzSequence, problems: readonly string[]): string {
  const bytes = Buffer.concat(sequence.steps.filter((step): step is Buffer => Buffer.isBuffer(step)));
  return `seed ${seed} sequence ${index} (${sequence.kind}, ${bytes.length} bytes, starts ${bytes.subarray(0, 48).toString('hex')}): ${problems.join('; ')}`;
}
