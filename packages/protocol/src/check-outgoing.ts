import type { z } from 'zod';
import type { FrameType } from './frame-types';
import { ProtocolError } from './protocol-error';

/** The sender checks its own messages against the schema the receiver will use. */
export function checkOutgoing<S extends z.ZodType>(type: FrameType, schema: S, message: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(message);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw new ProtocolError(`refusing to send an invalid ${type} message: ${where}${issue?.message ?? 'does not match its schema'}`);
}
