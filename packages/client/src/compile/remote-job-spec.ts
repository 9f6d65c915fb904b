import { basename } from 'node:path';
import { mappedCompiler, volunteerColour, type CompilerMapping, type RemoteAnalysis } from '@sshcc/core';
import { JOB_ENV_NAME, type CompilerFingerprint, type JobSpec } from '@sshcc/protocol';

/** A compile that takes longer than this on a volunteer is killed there and rerun elsewhere. */
export const DEFAULT_JOB_TIME_LIMIT_SECONDS = 600;

/**
 * The request a volunteer gets for one analysed compile. Names inside the job dir are the targets'
 * own base names, so whatever the compiler records of them (clang's STT_FILE, gcc's .dwo name) reads
 * as in a local build; only the locale of the client's environment travels. A gcc job asks for a mirror
 * of its source files (its diagnostics then read as here), and for colour when gcc here would colour.
 */
export function remoteJobSpec(
  analysis: RemoteAnalysis,
  fingerprint: CompilerFingerprint,
  client: { readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly stderrIsTerminal?: boolean },
  /** null: the source is sent while it is still being produced. */
  sourceBytes: number | null,
): JobSpec {
  const gcc = analysis.family === 'gcc';
  const colour = gcc ? volunteerColour(analysis.compileArgv, client.env, client.stderrIsTerminal === true).flag : null;
  return {
    compiler: basename(analysis.compiler),
    fingerprint,
    args: colour === null ? [...analysis.compileArgv] : [...analysis.compileArgv, colour],
    lang: analysis.remoteLang,
    input: analysis.remoteInputName,
    output: basename(analysis.output),
    extraOutputs: analysis.extraOutputs.map((path) => basename(path)),
    cwd: client.cwd,
    env: Object.fromEntries(Object.entries(client.env).filter(([name]) => JOB_ENV_NAME.test(name))),
    timeLimitSeconds: DEFAULT_JOB_TIME_LIMIT_SECONDS,
    sourceBytes,
    ...(gcc ? { mirror: true as const } : {}),
  };
}

/**
 * The job as a host whose entry maps its compiler (`,map=CLIENT:REMOTE`) gets it: asking for REMOTE and
 * accepting another build of the client's release. Null when the host's map leaves the compiler alone.
 */
export function mappedJobSpec(spec: JobSpec, map: readonly CompilerMapping[]): JobSpec | null {
  const remote = mappedCompiler(map, spec.compiler);
  return remote === null ? null : { ...spec, compiler: remote, match: 'release' };
}
