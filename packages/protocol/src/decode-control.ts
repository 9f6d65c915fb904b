import type { z } from 'zod';
import type { FrameType } from './frame-types';
import { ProtocolError } from './protocol-error';
import { zodIssueText } from './zod-issue';

/** Parses a control payload: JSON first, then the schema; either failing is one line naming the field. */
export function decodeControl<S extends z.ZodType>(type: FrameType, schema: S, payload: Buffer): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ProtocolError(`invalid ${type} message: not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ProtocolError(`invalid ${type} message: ${zodIssueText(parsed.error, 'does not match its schema')}`);
}
