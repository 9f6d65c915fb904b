import { DOCTOR_PROBLEM_CODES, EXIT_CODES, type SshccErrorCode } from '@sshcc/core';
import { CapacitySchema } from '@sshcc/protocol';
import { z } from 'zod';

// What `sshcc doctor --json` prints. This shape is a public interface (scripts read it): add fields,
// never rename them. Every object is strict, so a field added to the code and not here fails the tests.

const HostSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('env'), name: z.enum(['SSHCC_HOSTS', 'DISTCC_HOSTS']) }),
  z.strictObject({ kind: z.literal('file'), path: z.string() }),
  z.strictObject({ kind: z.literal('none') }),
]);

const HostListSchema = z.strictObject({
  source: HostSourceSchema,
  searched: z.array(HostSourceSchema),
  /** The list could not be read or parsed (then `source` is `none` and there are no hosts). */
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  hosts: z.array(z.strictObject({ spec: z.string(), kind: z.enum(['ssh', 'local']), destination: z.string(), slots: z.int() })),
});

const ERROR_CODES = Object.keys(EXIT_CODES) as [SshccErrorCode, ...SshccErrorCode[]];
const ClockSchema = z.strictObject({ skewMs: z.number(), uncertaintyMs: z.number() });

/** One remote host: `sshcc ping --json`'s report of it, and its slots from the host list. */
const HostSchema = z.strictObject({
  host: z.string(),
  destination: z.string().nullable(),
  slots: z.int(),
  usable: z.boolean(),
  reachable: z.boolean().nullable(),
  hostKeyOk: z.boolean().nullable(),
  authOk: z.boolean().nullable(),
  server: z
    .strictObject({
      mode: z.enum(['subsystem', 'exec']),
      command: z.string(),
      version: z.string(),
      protocol: z.int(),
      protocols: z.array(z.int()),
      compression: z.string(),
      cpus: z.int(),
      load: z.array(z.number()),
      arch: z.string().nullable(),
      packs: z.array(z.strictObject({ id: z.string(), compiler: z.string().nullable() })).nullable(),
      noPush: z.string().nullable(),
      // The hello's own schema, kept strict here like every object of this report.
      capacity: z.strictObject(CapacitySchema.shape).nullable(),
    })
    .nullable(),
  compilers: z.array(
    z.strictObject({
      name: z.string(),
      status: z.enum(['match', 'mismatch', 'not-here', 'missing-there', 'refused', 'failed']),
      here: z.strictObject({ path: z.string(), version: z.string(), target: z.string(), driver: z.string() }).nullable(),
      detail: z.string().nullable(),
    }),
  ),
  timings: z.strictObject({ connectMs: z.number().nullable(), startMs: z.number().nullable(), rttMs: z.number().nullable() }),
  clock: ClockSchema.nullable(),
  error: z.strictObject({ code: z.enum(ERROR_CODES), exitCode: z.int(), message: z.string() }).nullable(),
  notes: z.array(z.string()),
});

const SshccKindSchema = z.enum(['shim', 'launcher', 'package', 'missing', 'other']);

const ClientSchema = z.strictObject({
  self: z.strictObject({ path: z.string(), kind: SshccKindSchema }),
  onPath: z.strictObject({ path: z.string(), kind: SshccKindSchema, sameAsSelf: z.boolean() }).nullable(),
  /** The C compiler the shim is built with (`$CC`, else `cc`) and where PATH finds it. */
  cc: z.strictObject({ name: z.string(), path: z.string().nullable() }),
});

const MasqueradeSchema = z.strictObject({
  dir: z.string(),
  pathIndex: z.int().nullable(),
  links: z.array(
    z.strictObject({ name: z.string(), path: z.string(), state: z.enum(['self', 'other-sshcc', 'elsewhere', 'dangling', 'absent']), target: z.string().nullable() }),
  ),
  shadowedBy: z.array(z.strictObject({ name: z.string(), path: z.string() })),
  ccacheAfter: z.string().nullable(),
});

const HistorySchema = z.strictObject({
  file: z.string(),
  since: z.string(),
  updated: z.string(),
  total: z.int(),
  remote: z.int(),
  local: z.int(),
  localByReason: z.array(z.strictObject({ reason: z.string(), jobs: z.int() })),
  unreadable: z.string().nullable(),
});

const ProblemSchema = z.strictObject({
  code: z.enum(DOCTOR_PROBLEM_CODES),
  severity: z.enum(['error', 'warning']),
  subject: z.string(),
  message: z.string(),
  fix: z.string(),
  command: z.string().nullable(),
});

export const DoctorReportSchema = z.strictObject({
  /** No problem found: the command exits 0. */
  ok: z.boolean(),
  hostList: HostListSchema,
  hosts: z.array(HostSchema),
  client: ClientSchema,
  masquerade: z.array(MasqueradeSchema),
  /** The PATH entries the checks read, in order. */
  path: z.array(z.string()),
  /** The `SSHCC_PACKS` setting: false when it is 0. */
  packsEnabled: z.boolean(),
  /** Where the compiles counted so far ran (`sshcc stats`'s file): history, never a problem. */
  history: HistorySchema,
  problems: z.array(ProblemSchema),
});

export type DoctorReport = z.infer<typeof DoctorReportSchema>;
