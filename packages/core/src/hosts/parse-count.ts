import { MAX_HOST_SLOTS } from './host-limits';
import { hostSpecError } from './host-spec-error';

/** A count as written after `/` or `=`: 1..MAX_HOST_SLOTS in plain decimal, else `null`. */
export function parseCount(text: string): number | null {
  if (!/^[1-9][0-9]*$/.test(text)) return null;
  const value = Number(text);
  return value <= MAX_HOST_SLOTS ? value : null;
}

export const COUNT_HINT = `a whole number from 1 to ${MAX_HOST_SLOTS}`;

/** The `N` of `host/N`, or a bad-host-spec error naming it. */
export function parseSlots(text: string, token: string, where: string): number {
  const slots = parseCount(text);
  if (slots === null) throw hostSpecError(where, `bad slot count "${text}" in "${token}"`, COUNT_HINT);
  return slots;
}
