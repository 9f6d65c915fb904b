import { EXIT_CODES, type FailurePolicy } from './exit-codes';

// The README's exit-code table is rendered from EXIT_CODES so the two cannot drift apart
// (exit-code-table.test.ts compares them).
const POLICY_TEXT: Record<FailurePolicy, string> = {
  fail: 'reported; nothing to retry',
  'retry-elsewhere': 'host backed off; the job runs on another host, else locally',
  'avoid-host-for-compiler': 'host not sent this compiler again; the job runs elsewhere',
  local: 'the job compiles on this machine',
};

/** EXIT_CODES as a Markdown table: exit code, error code, the line's prefix, what sshcc does. */
export function exitCodeTableMarkdown(): string {
  const rows = Object.entries(EXIT_CODES)
    .sort(([, a], [, b]) => a.exitCode - b.exitCode)
    .map(([code, row]) => `| ${row.exitCode} | \`${code}\` | \`sshcc: ${row.what}: …\` | ${POLICY_TEXT[row.policy]} |`);
  return ['| exit | code | prints | then |', '|---:|---|---|---|', ...rows].join('\n') + '\n';
}
