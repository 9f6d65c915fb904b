import { execFileSync } from 'node:child_process';
import { FIRST_PACKET_BYTES, MIN_LINK_SAMPLE_BYTES, UNMEASURED_LEVEL } from '@sshcc/core';
import type { JobResult } from '@sshcc/protocol';
import { remoteResult } from '../events/test-scenario';
import { LinkLevels } from './link-levels';

/** A real preprocessed source: what the agent measures zstd on. */
const SOURCE = execFileSync('gcc', ['-E', '-x', 'c++', '-'], { input: '#include <string>\n#include <map>\n', maxBuffer: 1 << 24 });

/** A job whose source took `upMs` on the server's clock and whose outputs took `downMs` here. */
function job(upBytes: number, upMs: number, downBytes: number, downMs: number): JobResult {
  const result = remoteResult(5);
  return {
    ...result,
    timings: { ...result.timings, receiveMs: upMs },
    transfer: { ...result.transfer, sentWireBytes: upBytes, receivedWireBytes: downBytes, answeredMs: 10, doneMs: 10 + downMs },
  };
}

describe('LinkLevels', () => {
  it('uses the default level until both the link and zstd here are measured', async () => {
    const links = new LinkLevels();
    expect(links.levelFor('@fast')).toBe(UNMEASURED_LEVEL);
    links.noteJob('@fast', job(FIRST_PACKET_BYTES + 1_000_000, 0.5, 0, 0));
    expect(links.levelFor('@fast')).toBe(UNMEASURED_LEVEL);
    await links.calibrateOn(SOURCE.subarray(0, 1000));
    expect(links.wantsSample).toBe(true);
    await links.calibrateOn(SOURCE);
    expect(links.wantsSample).toBe(false);
    expect(links.levelFor('@fast')).toBe(0);
  });

  it('sends as it is over a link faster than zstd, compresses over a slow one, and says so when it changes', async () => {
    const lines: string[] = [];
    const links = new LinkLevels((line) => lines.push(line));
    await links.calibrateOn(SOURCE);
    // 1 MB in half a millisecond each way: no zstd keeps up with that.
    links.noteJob('@near', job(FIRST_PACKET_BYTES + 1_000_000, 0.5, FIRST_PACKET_BYTES + 1_000_000, 0.5));
    // 132 KB, of which 100 KB after the first packet took 40 ms: 20 Mbit/s.
    links.noteJob('@far', job(FIRST_PACKET_BYTES + 100_000, 40, FIRST_PACKET_BYTES + 100_000, 40));
    expect(links.levelFor('@near')).toBe(0);
    expect(links.levelFor('@far')).toBeGreaterThan(0);
    expect(lines).toEqual([expect.stringMatching(/^@near: zstd level 0 for its link \(2000 MB\/s measured; zstd here 1: /), expect.stringMatching(/^@far: zstd level \d for its link \(2\.5 MB\/s measured; /)]);
    links.levelFor('@far');
    expect(lines).toHaveLength(2);
  });

  it('learns from transfers both ways, and not from ones too short to time', async () => {
    const links = new LinkLevels();
    await links.calibrateOn(SOURCE);
    links.noteJob('@host', job(MIN_LINK_SAMPLE_BYTES - 1, 0.001, MIN_LINK_SAMPLE_BYTES - 1, 0.001));
    expect(links.levelFor('@host')).toBe(UNMEASURED_LEVEL);
    links.noteJob('@host', job(0, 0, FIRST_PACKET_BYTES + 1_000_000, 0.5));
    expect(links.levelFor('@host')).toBe(0);
  });
});
