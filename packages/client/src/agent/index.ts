export { startAgent } from './start-agent';
export { defaultHandleCompile, localCompileAnswer } from './default-handle-compile';
export { runAgentProcess, type AgentProcessOptions } from './run-agent-process';
export { queryAgent, ensureAgent, stopAgent, readAgentPid } from './agent-control';
export { idleTimeoutFromEnv } from './idle-timeout';
export { localAgentPaths } from '../thin/local-agent-paths';
export { resolveAgentPaths, type AgentPathsHost } from '../thin/agent-paths';
export type {
  Agent,
  AgentOptions,
  AgentPaths,
  AgentStatus,
  AgentStopReason,
  CompileAnswer,
  CompileContext,
  CompileRequest,
  HandleCompile,
  StartAgentResult,
} from './types';
export { DEFAULT_IDLE_TIMEOUT_MS } from './types';
