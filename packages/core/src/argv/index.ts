export * from './types';
export { analyzeArgs, explicitDependencyFlags } from './analyze';
export { CLANG_OPTIONS } from './clang-options';
export { recognizeCompiler, type CompilerName } from './compiler-name';
export { emitsDebugInfo, writesSplitDwarf } from './debug-info';
export { GCC_OPTIONS } from './gcc-options';
export {
  inputKindFromPath,
  inputKindFromX,
  isPreprocessedLang,
  preprocessedLang,
  suffixOf,
  type InputKind,
} from './language';
export { LOCAL_REASON_TEXT } from './local-reasons';
export {
  OptionIndex,
  compareFlags,
  extendOptions,
  firstUnsortedRow,
  type OptionEffect,
  type OptionMatch,
  type OptionRow,
  type OptionTable,
  type OptionValue,
} from './option-table';
export {
  defaultDependencyFile,
  defaultDependencyTarget,
  inferredOutput,
  replaceSuffix,
  splitDwarfFile,
  type OutputKind,
} from './output-name';
export {
  MAX_RESPONSE_FILE_EXPANSIONS,
  expandResponseFiles,
  splitResponseText,
  type ResponseFileExpansion,
} from './response-files';
