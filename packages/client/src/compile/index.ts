export { CompileService, type CompileServiceOptions } from './compile-service';
export { CompileRouter } from './compile-router';
export { openAgentCache, type AgentCache } from './result-cache';
export type { CompileContext, HandleCompile } from './handle-compile';
