// The README's exit-code table and ARCHITECTURE.md's failure table are rendered from EXIT_CODES and
// DEPARTURES, so the documents cannot drift from the code (markdown-tables.test.ts compares them).
import { EXIT_CODES } from '../errors/exit-codes';
import { DEPARTURES, departureText, isDeparture, type DepartureRow, type HostAction, type JobAction } from './departures';

const JOB_TEXT: Record<JobAction, string> = {
  'next-host': 'the job runs on another host, else locally',
  'exec-in-client': 'the job compiles on this machine',
  'compile-in-agent': 'the agent compiles it here',
  'answer-cached': 'the result cache answers',
};

const HOST_TEXT: Record<HostAction, string> = {
  none: '',
  'skip-for-job': '',
  'back-off': 'host backed off',
  'unfit-for-compiler': 'host not sent this compiler again',
};

/** What sshcc does, as one clause: `host backed off; the job runs on another host, else locally`. */
export function departureAction(row: DepartureRow): string {
  if (row.host === 'unfit-for-compiler' && row.job === 'next-host') return `${HOST_TEXT[row.host]}; the job runs elsewhere`;
  return [HOST_TEXT[row.host], JOB_TEXT[row.job]].filter((part) => part !== '').join('; ');
}

/** EXIT_CODES as a Markdown table: exit code, error code, the line's prefix, what sshcc does. */
export function exitCodeTableMarkdown(): string {
  const rows = Object.entries(EXIT_CODES)
    .sort(([, a], [, b]) => a.exitCode - b.exitCode)
    .map(([code, row]) => {
      const then = isDeparture(code) ? departureAction(DEPARTURES[code]) : 'reported; nothing to retry';
      return `| ${row.exitCode} | \`${code}\` | \`sshcc: ${row.what}: …\` | ${then} |`;
    });
  return ['| exit | code | prints | then |', '|---:|---|---|---|', ...rows].join('\n') + '\n';
}

/** DEPARTURES as a Markdown table: every way off the remote path, what happens, and its stats key. */
export function departureTableMarkdown(): string {
  const rows = Object.entries(DEPARTURES).map(
    ([name, row]) => `| \`${name}\` | ${departureAction(row)} | ${row.hostFailure ? 'yes' : ''} | ${departureText(name as keyof typeof DEPARTURES)} |`,
  );
  return ['| key | then | host failure | why (the log line) |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
