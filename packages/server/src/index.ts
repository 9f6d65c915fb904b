// @sshcc/server: the volunteer. What it shares with the agent (fingerprints, the result store) is @sshcc/store.
export { jobPermitted, type Permission } from './job-permitted';
export { compilerAllowlist, isBareName, type CompilerAllowlist } from './allowlist';
export { COMPILE_OPTION_RULES, type CompileOptionRule } from './compile-option-rules';
export { loadServerConfig, serverConfigPath, DEFAULT_MAX_JOB_SECONDS, DEFAULT_TOOLCHAINS_MAX_BYTES, type ServerConfig } from './config';
export { createJobHandler, type JobContext } from './job';
export { serve } from './serve';
export { SERVER_VERSION } from './version';
