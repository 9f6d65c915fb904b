import type { CompilerFingerprint, JobReply, JobRequest } from '@sshcc/protocol';
import { fingerprintCompiler, fingerprintDifference, packCommand, releaseDifference, resolveCompiler, type PackStore } from '@sshcc/store';
import type { CompilerAllowlist } from './allowlist';
import { listCompilers } from './list-compilers';

/** What runs a job: a program and the arguments that go before the job's own. */
export interface CompilerCommand {
  readonly path: string;
  readonly prefixArgs: readonly string[];
  /** The compiler's version line (it decides the prefix maps and whether stdin may be the input). */
  readonly version: string;
  /** Where it came from: an installed compiler (by whatever name) or a pushed pack. */
  readonly from: 'installed' | 'pack';
  /** Its fingerprint when it is another build of the client's release (`match: 'release'`); null: the client's own build. */
  readonly releaseMatch: CompilerFingerprint | null;
}

export interface CompilerChoiceContext {
  readonly allowlist: CompilerAllowlist;
  readonly env: NodeJS.ProcessEnv;
  readonly packs: PackStore | null;
}

/**
 * The compiler a job runs with, matched by identity, not by name: the named one when its fingerprint is
 * the client's, else any allowed compiler here with that fingerprint (the client's `gcc` is this server's
 * `gcc-12`), else the job's pack when this server holds it intact. Only then, for a job that accepts
 * it (`match: 'release'`, from the host list's `,map=`), the named one when it is another build of the
 * client's release: the name is the user's, so no other compiler is searched for one. Otherwise the
 * answer that says why.
 */
export async function chooseCompiler(request: JobRequest, context: CompilerChoiceContext): Promise<CompilerCommand | JobReply> {
  const { env } = context;
  const named = resolveCompiler(request.compiler, env.PATH);
  let difference: string | null = null;
  let namedFingerprint: CompilerFingerprint | null = null;
  try {
    if (named !== null) {
      namedFingerprint = await fingerprintCompiler(named, { env });
      difference = fingerprintDifference(request.fingerprint, namedFingerprint);
      if (difference === null) return { path: named, prefixArgs: [], version: namedFingerprint.version, from: 'installed', releaseMatch: null };
    }
    const twin = await identicalCompiler(request, context);
    if (twin !== null) return twin;
  } catch (err) {
    return { kind: 'remote-failed', message: `cannot fingerprint ${named ?? request.compiler}: ${(err as Error).message}` };
  }
  // A pack holds cc1 and cc1plus only: gcc's driver would find Objective-C's cc1obj among the server's own
  // gcc's files, a compiler no fingerprint vouched for.
  if (request.pack !== undefined && context.packs !== null && !request.lang.startsWith('objective-c')) {
    const pack = await context.packs.open(request.pack);
    if (pack !== null && pack.manifest.arch === process.arch && fingerprintDifference(request.fingerprint, pack.manifest.fingerprint) === null) {
      const { path, args } = packCommand(pack);
      return { path, prefixArgs: args, version: pack.manifest.fingerprint.version, from: 'pack', releaseMatch: null };
    }
  }
  if (request.match === 'release' && named !== null && namedFingerprint !== null && releaseDifference(request.fingerprint, namedFingerprint) === null) {
    return { path: named, prefixArgs: [], version: namedFingerprint.version, from: 'installed', releaseMatch: namedFingerprint };
  }
  const packNote = request.pack === undefined ? '' : `; pack ${request.pack.slice(0, 12)} is not here`;
  if (named === null) return { kind: 'compiler-missing', message: `${request.compiler} is not on this server's PATH${packNote}` };
  return { kind: 'compiler-mismatch', message: `${request.compiler}: ${difference}${packNote}` };
}

/** Per fingerprint, the installed compiler with it (or none): looked for once per server process. */
const twins = new Map<string, Promise<CompilerCommand | null>>();

function identicalCompiler(request: JobRequest, context: CompilerChoiceContext): Promise<CompilerCommand | null> {
  const f = request.fingerprint;
  const key = [f.version, f.target, f.driver, f.cc1, f.cc1plus].join('\0');
  let found = twins.get(key);
  if (found === undefined) {
    found = (async () => {
      for (const name of listCompilers(context.allowlist, context.env.PATH)) {
        const path = resolveCompiler(name, context.env.PATH);
        if (path === null) continue;
        const fingerprint = await fingerprintCompiler(path, { env: context.env }).catch(() => null);
        if (fingerprint !== null && fingerprintDifference(f, fingerprint) === null) {
          return { path, prefixArgs: [], version: fingerprint.version, from: 'installed' as const, releaseMatch: null };
        }
      }
      return null;
    })();
    twins.set(key, found);
  }
  return found;
}
