import { execFile, spawnSync } from 'node:child_process';

// ip, tc and nft are the whole interface to the kernel's network plumbing here. Their failures carry the
// tool's own stderr, since "Specified qdisc kind is unknown" or "Operation not permitted" is the diagnosis.

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TOOL_TIMEOUT_MS = 10_000;

export function runTool(argv: readonly string[], input?: string): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = execFile(argv[0] as string, argv.slice(1), { timeout: TOOL_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code === -1 ? err.message : '') });
    });
    // A tool that exits without reading its input is no error of ours.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

/** For the process 'exit' hook and for decisions jest must make while collecting tests. */
export function runToolSync(argv: readonly string[], input?: string): ToolResult {
  const run = spawnSync(argv[0] as string, argv.slice(1), { input: input ?? '', encoding: 'utf8', timeout: TOOL_TIMEOUT_MS });
  return { code: run.status ?? -1, stdout: run.stdout ?? '', stderr: run.stderr || (run.error ? run.error.message : '') };
}

/** Runs the tool and throws its stderr on failure. */
export async function mustRun(argv: readonly string[], input?: string): Promise<string> {
  const result = await runTool(argv, input);
  if (result.code !== 0) throw new Error(`testkit: \`${argv.join(' ')}\` failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}
