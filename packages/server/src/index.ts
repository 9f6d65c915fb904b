// @sshcc/server: the volunteer. The agent uses fingerprintCompiler (the same fingerprint both ends).
export { fingerprintCompiler, fingerprintDifference, type FingerprintOptions } from './fingerprint';
export { jobPermitted, type Permission } from './job-permitted';
export { compilerAllowlist, isBareName, type CompilerAllowlist } from './allowlist';
export { COMPILE_OPTION_RULES, type CompileOptionRule } from './compile-option-rules';
export { resolveCompiler } from './resolve-compiler';
export { loadServerConfig, serverConfigPath, DEFAULT_MAX_JOB_SECONDS, type ServerConfig } from './config';
export { createJobHandler, type JobContext } from './job';
export { serve } from './serve';
export { SERVER_VERSION } from './version';
export * from './cache';
