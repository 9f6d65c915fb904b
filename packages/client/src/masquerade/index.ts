export { MASQUERADE_COMPILERS, isMasqueradeName } from './compiler-names';
export { findRealCompiler, isExecutableFile, tryRealpath, tryStat, type FindCompilerOptions } from './find-real-compiler';
export { makeMasqueradeLinks, removeMasqueradeLinks, type LinkOutcome } from './make-masquerade-links';
