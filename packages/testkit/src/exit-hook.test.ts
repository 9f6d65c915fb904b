import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { isAlive } from './process-tree';

// A test process that exits without stopAll() (a crash, a forgotten afterAll) must still leave no sshd:
// the testkit's 'exit' hook kills them. Run the testkit in a child Node that does exactly that.
const CHILD = `
const tk = require(process.argv[1]);
(async () => {
  const v = await tk.startVolunteer({ serverCommand: '/bin/cat' });
  const client = await tk.connectClient(v.connectOptions());
  const channel = await tk.openExec(client, 'echo $$; exec sleep 60');
  channel.once('data', (chunk) => {
    console.log(JSON.stringify({ dir: v.dir, tree: v.processes(), sleeper: Number(String(chunk).trim()) }));
    process.exit(0);
  });
})();
`;

describe('the process exit hook', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sshcc-testkit-exit-'));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('kills every volunteer and session a process leaves behind, and removes their dirs', async () => {
    const bundle = join(work, 'testkit.js');
    buildSync({ entryPoints: [join(__dirname, 'index.ts')], bundle: true, platform: 'node', external: ['ssh2'], outfile: bundle, logLevel: 'silent' });
    // The bundle lives in a temp dir; let it find ssh2 where this repo installed it.
    const env = { ...process.env, NODE_PATH: dirname(dirname(require.resolve('ssh2/package.json'))) };
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', CHILD, bundle], { env, timeout: 15_000 }, (err, out, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out),
      ),
    );
    const left = JSON.parse(stdout) as { dir: string; tree: number[]; sleeper: number };
    expect(left.tree.length).toBeGreaterThanOrEqual(3);
    expect(left.tree).toContain(left.sleeper);
    expect(left.tree.filter(isAlive)).toEqual([]);
    expect(existsSync(left.dir)).toBe(false);
  });
});
