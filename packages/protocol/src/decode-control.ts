import type { z } from 'zod';
import type { FrameType } from './frame-types';
import { ProtocolError } from './protocol-error';

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
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw new ProtocolError(`invalid ${type} message: ${where}${issue?.message ?? 'does not match its schema'}`);
}
