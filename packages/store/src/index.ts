// @sshcc/store: what the agent and sshcc-server must agree on byte for byte and both keep on disk. A
// compiler's fingerprint decides which stored thing may answer for it; the result store holds compiles.
export { fingerprintCompiler, fingerprintDifference, fingerprintKey, releaseDifference, type FingerprintOptions } from './compilers/fingerprint';
export { resolveCompiler } from './compilers/resolve-compiler';
export * from './cache';
export * from './packs';
