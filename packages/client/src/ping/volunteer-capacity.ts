import type { ServerHello } from '@sshcc/protocol';
import { z } from 'zod';

// A newer server's hello says how busy it is: its cap on jobs at once, those running and waiting, its
// 1-minute load and cpus. This client's hello schema may not know the field yet, so it is read here,
// checked on its own, and an older server (or a malformed field) simply has none.

const VolunteerCapacitySchema = z.object({
  cap: z.int().min(0),
  busy: z.int().min(0),
  waiting: z.int().min(0),
  load1: z.number().min(0),
  cpus: z.int().min(1),
});
export type VolunteerCapacity = z.infer<typeof VolunteerCapacitySchema>;

export function volunteerCapacity(hello: ServerHello): VolunteerCapacity | null {
  const parsed = VolunteerCapacitySchema.safeParse((hello as ServerHello & { readonly capacity?: unknown }).capacity);
  return parsed.success ? parsed.data : null;
}
