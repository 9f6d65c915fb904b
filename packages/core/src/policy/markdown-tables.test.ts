import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPARTURE_NAMES, departureTableMarkdown, EXIT_CODES, exitCodeTableMarkdown } from '@sshcc/core';

describe('exitCodeTableMarkdown', () => {
  it('renders one row per code, sorted by exit code', () => {
    const lines = exitCodeTableMarkdown().trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['| exit | code | prints | then |', '|---:|---|---|---|']);
    expect(lines).toHaveLength(2 + Object.keys(EXIT_CODES).length);
    expect(lines[2]).toBe('| 100 | `usage` | `sshcc: usage: …` | reported; nothing to retry |');
    expect(lines).toContain('| 110 | `connect` | `sshcc: connect: …` | host backed off; the job runs on another host, else locally |');
    const exits = lines.slice(2).map((line) => Number(line.split('|')[1]));
    expect(exits).toEqual([...exits].sort((a, b) => a - b));
  });

  // The root README documents the exit codes; this keeps it equal to EXIT_CODES.
  it('is exactly what the root README shows between the exit-codes markers', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../../README.md'), 'utf8');
    const match = /<!-- exit-codes:start -->\n([\s\S]*?)<!-- exit-codes:end -->/.exec(readme);
    expect(match?.[1]).toBe(exitCodeTableMarkdown());
  });
});

describe('departureTableMarkdown', () => {
  it('renders one row per departure, with what happens and the log text', () => {
    const lines = departureTableMarkdown().trimEnd().split('\n');
    expect(lines).toHaveLength(2 + DEPARTURE_NAMES.length);
    expect(lines).toContain('| `remote-failed` | host backed off; the job runs on another host, else locally | yes | the volunteer could not run the job (disk full, spawn failed) |');
    expect(lines).toContain('| `compile-error` | the job compiles on this machine |  | it failed on a volunteer, whose errors may not read as this machine\'s gcc prints them; rerun here |');
  });

  // docs/ARCHITECTURE.md carries the failure table; this keeps it equal to DEPARTURES.
  it('is exactly what docs/ARCHITECTURE.md shows between the failure-table markers', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../../docs/ARCHITECTURE.md'), 'utf8');
    const match = /<!-- failure-table:start -->\n([\s\S]*?)<!-- failure-table:end -->/.exec(doc);
    expect(match?.[1]).toBe(departureTableMarkdown());
  });
});
