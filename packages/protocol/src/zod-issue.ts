import type { z } from 'zod';

/** A failed parse as one line: the first issue, after the path of the field it is about (`a.b: …`). */
export function zodIssueText(error: z.ZodError, fallback: string): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue?.message ?? fallback}`;
}
