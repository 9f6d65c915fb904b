// The sentence behind each reason a command runs on this machine. `sshcc explain` and verbose logs print
// `<what triggered it>: <sentence>`; `sshcc stats` counts the reasons themselves.

import type { LocalAnalysis, LocalReason } from './types';

export const LOCAL_REASON_TEXT: Readonly<Record<LocalReason, string>> = {
  link: 'without -c or -S the driver links, and linking always happens on this machine',
  'preprocess-only': 'only preprocessing is asked for, so there is nothing to compile',
  'deps-only': 'only dependencies are written (-M and -MM imply -E), so there is nothing to compile',
  'multiple-inputs': 'sshcc sends one source file per command',
  'no-input': 'there is no source file to compile',
  'stdin-input': 'the source comes from standard input',
  'unsupported-lang': 'sshcc compiles only C, C++ and Objective-C remotely',
  'native-arch': 'the code would depend on the CPU of the machine that compiles it',
  profile: 'profile data is read or written on this machine',
  coverage: 'coverage notes (.gcno) are written beside the object',
  'save-temps': 'intermediate files are kept beside the object',
  specs: 'the specs file is on this machine',
  plugin: 'the compiler plugin is on this machine',
  frepo: 'template repository files are kept beside the object',
  'clang-plugin': 'the clang plugin is on this machine',
  modules: 'module files live on this machine',
  'assembler-listing': 'the assembler writes a listing file on this machine',
  'device-file': 'a device or standard stream stays on this machine',
  'info-only': 'the driver answers by itself; nothing is compiled',
  'unknown-compiler': 'sshcc distributes only gcc- and clang-compatible drivers it can recognize',
  'syntax-only': 'nothing is written, so there is nothing to fetch',
  'preprocessor-option': "clang passes it to its compile step too, and volunteers run only options they can vet",
  'unused-macros': 'gcc keeps no macros for a volunteer beside it, and expanding them here changes the code at -O0 and the debug info',
  'side-files': 'the compile writes files beside the object that sshcc does not fetch',
  'reads-files': 'the compile reads a file that only this machine has',
  'recorded-command-line': 'the object records the command line, which differs on a volunteer',
  'unreadable-response-file': 'the @file cannot be read, so the compiler takes it as a file name',
  malformed: 'the command line is malformed; the compiler reports it',
};

/** A local verdict whose detail names what triggered it: `-march=native: the code would depend on ...`. */
export function local(reason: LocalReason, trigger: string, why: string = LOCAL_REASON_TEXT[reason]): LocalAnalysis {
  return { mode: 'local', reason, detail: `${trigger}: ${why}` };
}
