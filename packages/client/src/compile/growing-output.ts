import { SshccError } from '@sshcc/core';

/**
 * The preprocessor ended badly while its output was being read: the job built on that output is void.
 * Thrown into a streamed upload so the job is cancelled on the volunteer, not ended as if whole.
 */
export class PreprocessorFailed extends SshccError {
  constructor() {
    super('internal', 'the preprocessor failed while its output was streamed');
    this.name = 'PreprocessorFailed';
  }
}

/**
 * A preprocessor's stdout as it grows. Every reader starts from the first byte and waits for more until
 * the run ends, so a job can go up while cpp still writes, and go up again from the start when its
 * volunteer fails. The bytes stay here for that: the agent holds one copy of each source anyway.
 */
export class GrowingOutput {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private outcome: 'whole' | 'failed' | null = null;
  private wake: Array<() => void> = [];

  get size(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    if (this.outcome !== null || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.notify();
  }

  /** The run is over: `whole` when it succeeded, so its output is complete. */
  end(whole: boolean): void {
    if (this.outcome !== null) return;
    this.outcome = whole ? 'whole' : 'failed';
    this.notify();
  }

  /** Resolves true once more than `bytes` are in while the run goes on; false when it ends first. */
  async pastWhileRunning(bytes: number): Promise<boolean> {
    while (this.outcome === null && this.bytes <= bytes) await this.changed();
    return this.outcome === null;
  }

  /** The output from its start; throws PreprocessorFailed where a failed run ended it. */
  async *read(): AsyncGenerator<Buffer> {
    for (let next = 0; ; ) {
      while (next < this.chunks.length) yield this.chunks[next++] as Buffer;
      if (this.outcome === 'whole') return;
      if (this.outcome === 'failed') throw new PreprocessorFailed();
      await this.changed();
    }
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.wake.push(resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const resolve of wake) resolve();
  }
}
