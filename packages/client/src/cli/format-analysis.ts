import { DEPARTURES, departureAction, type Analysis } from '@sshcc/core';
import { formatFields } from '../views/format-table';
import { shellQuote } from './shell-quote';

/** `sshcc explain`'s readable form of an analysis: what runs where, with argvs ready to paste. */
export function formatAnalysis(analysis: Analysis): string {
  if (analysis.mode === 'local') {
    return formatFields([
      ['mode', 'local (runs the compiler on this machine, unchanged)'],
      ['reason', analysis.reason],
      ['detail', analysis.detail],
      // The reason is a row of the failure table; its action is what the agent does with it.
      ['then', `${departureAction(DEPARTURES[analysis.reason])} (counted as ${analysis.reason} in sshcc stats)`],
    ]);
  }
  const language =
    analysis.remoteLang === analysis.lang ? analysis.lang : `${analysis.lang} (the volunteer compiles it as ${analysis.remoteLang})`;
  return formatFields([
    ['mode', 'remote (preprocess here, compile on a volunteer)'],
    ['compiler', `${analysis.compiler} (${analysis.family})`],
    ['input', analysis.input],
    ['output', analysis.output],
    ['language', language],
    ['preprocess', analysis.preprocessArgv === null ? 'none (the input is already preprocessed)' : shellQuote(analysis.preprocessArgv)],
    // The volunteer adds its own copy of the input and output names, so those are not part of the argv.
    ['compile', `${shellQuote([analysis.compiler, ...analysis.compileArgv])} (on the volunteer, which adds -x ${analysis.remoteLang}, its input and -o)`],
    ['extra outputs', analysis.extraOutputs.length === 0 ? 'none' : analysis.extraOutputs.join(', ')],
  ]);
}
