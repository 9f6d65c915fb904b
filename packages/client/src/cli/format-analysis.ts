import { DEPARTURES, departureAction, describeVerifyRate, shellQuote, type Analysis } from '@sshcc/core';
import type { VerifySetting } from '../compile/verify-setting';
import { formatFields } from '../views/format-table';

/**
 * `sshcc explain`'s readable form of an analysis: what runs where, with argvs ready to paste. `verify`:
 * the build's sampled verification setting, which applies to a remote compile.
 */
export function formatAnalysis(analysis: Analysis, verify: VerifySetting = { rate: 0, source: null }): string {
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
    ['verify', verifyText(verify)],
  ]);
}

function verifyText({ rate, source }: VerifySetting): string {
  if (rate === 0) return `off${source === null ? ' (SSHCC_VERIFY=<fraction>, or "verify" in $SSHCC_DIR/config.json, turns it on)' : ` (${source})`}`;
  return (
    `${describeVerifyRate(rate)} (${source}) is compiled here too, at low priority in a local slot, and the objects compared before any is written; ` +
    `on a mismatch the build gets this machine's object, the agent log both sha256, and the volunteer no more jobs for this compiler (counted as verify-mismatch in sshcc stats)`
  );
}
