import type { z } from 'zod';
import type { FrameType } from './frame-types';
import { ProtocolError } from './protocol-error';
import { zodIssueText } from './zod-issue';

/** The sender checks its own messages against the schema the receiver will use. */
export function checkOutgoing<S extends z.ZodType>(type: FrameType, schema: S, message: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(message);
  if (parsed.success) return parsed.data;
  throw new ProtocolError(`refusing to send an invalid ${type} message: ${zodIssueText(parsed.error, 'does not match its schema')}`);
}
