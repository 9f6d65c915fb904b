export { startAgent } from './start-agent';
export { defaultHandleCompile, localCompileAnswer } from './default-handle-compile';
export { queryAgent, ensureAgent, stopAgent, readAgentPid } from './agent-control';
export { idleTimeoutFromEnv } from './idle-timeout';
export { localAgentPaths } from '../wire/local-agent-paths';
export { resolveAgentPaths, type AgentPathsHost } from '../wire/agent-paths';
export type {
  Agent,
  AgentOptions,
  AgentPaths,
  AgentStopReason,
  StartAgentResult,
} from './types';
export { DEFAULT_IDLE_TIMEOUT_MS } from './types';
