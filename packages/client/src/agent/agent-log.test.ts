import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileLog, MAX_LOG_BYTES } from './agent-log';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sshcc-log-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => line.replace(/^\S+ \[\d+\] /, ''));

describe('fileLog', () => {
  it('appends lines in order', () => {
    const file = join(dir, 'agent.log');
    const log = fileLog(file);
    for (let i = 0; i < 100; i++) log(`job ${i}`);
    expect(lines(file)).toEqual(Array.from({ length: 100 }, (_, i) => `job ${i}`));
  });

  it('has written every line when the process exits at once', () => {
    const file = join(dir, 'agent.log');
    const script = `const { fileLog } = require(${JSON.stringify(require.resolve('../../dist/agent/agent-log.js'))}); const log = fileLog(${JSON.stringify(file)}); for (let i = 0; i < 50; i++) log('line ' + i); process.exit(0);`;
    execFileSync(process.execPath, ['-e', script]);
    expect(lines(file)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i}`));
  });

  it('starts a new generation when the log is over its size', () => {
    const file = join(dir, 'agent.log');
    writeFileSync(file, 'x'.repeat(MAX_LOG_BYTES + 1));
    const log = fileLog(file);
    log('fresh');
    expect(lines(file)).toEqual(['fresh']);
    expect(readFileSync(`${file}.1`, 'utf8').length).toBe(MAX_LOG_BYTES + 1);
  });
});
