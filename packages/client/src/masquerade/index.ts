export { MASQUERADE_COMPILERS, isMasqueradeName } from './compiler-names';
export { findRealCompiler, type FindCompilerOptions } from './find-real-compiler';
export { makeMasqueradeLinks, removeMasqueradeLinks, type LinkOutcome } from './make-masquerade-links';
