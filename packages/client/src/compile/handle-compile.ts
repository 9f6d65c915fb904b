// What the agent's listener asks of the compile layer for each compile request, and what it hands it.
import type { CompileAnswer, CompileRequest, PreprocessInClient } from '../wire/messages';

export interface CompileContext {
  /** Aborted when the client goes away (its socket closed: Ctrl-C, kill) or the agent stops. */
  readonly signal: AbortSignal;
  /** Runs the preprocessor in the client (version 2 clients); absent for older ones, which the agent preprocesses for. */
  readonly preprocess?: PreprocessInClient;
}

export type HandleCompile = (request: CompileRequest, context: CompileContext) => Promise<CompileAnswer>;
