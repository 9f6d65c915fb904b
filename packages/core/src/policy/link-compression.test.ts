import { chooseZstdLevel, FIRST_PACKET_BYTES, MIN_LINK_SAMPLE_BYTES, noteLinkTransfer, UNMEASURED_LEVEL, type LevelFigures, type LinkRate } from '@sshcc/core';

/** zstd as a 2-core EPYC runs it on preprocessed C++ (native; bytes per ms of CPU, and ratio). */
const HERE: LevelFigures[] = [
  { level: 1, rawBytesPerMs: 330_000, ratio: 5.3 },
  { level: 3, rawBytesPerMs: 250_000, ratio: 5.6 },
  { level: 6, rawBytesPerMs: 130_000, ratio: 6.3 },
  { level: 9, rawBytesPerMs: 94_000, ratio: 6.4 },
];
/** The same levels on a machine ten times slower (an old laptop under a build). */
const SLOW = HERE.map((f) => ({ ...f, rawBytesPerMs: f.rawBytesPerMs / 10 }));

const link = (bytesPerMs: number): LinkRate => ({ bytesPerMs, samples: [bytesPerMs] });

describe('chooseZstdLevel', () => {
  it.each<[string, LinkRate | undefined, LevelFigures[], number]>([
    ['a link not yet measured', undefined, HERE, UNMEASURED_LEVEL],
    ['zstd not yet measured here', link(2_500), [], UNMEASURED_LEVEL],
    ['loopback (2 GB/s): faster than zstd, sent as it is', link(2_000_000), HERE, 0],
    ['10 Gbit/s LAN', link(1_170_000), HERE, 0],
    ['1 Gbit/s LAN: level 1 halves the time', link(117_000), HERE, 1],
    ['1 Gbit/s LAN from a slow machine: its zstd is slower than the link', link(117_000), SLOW, 0],
    ['100 Mbit/s', link(11_700), HERE, 1],
    ['20 Mbit/s WAN: a better ratio pays for its CPU', link(2_500), HERE, 6],
    ['1 Mbit/s: level 9 gains under 2% on level 6, not worth its CPU', link(125), HERE, 6],
    ['a level whose figures are nonsense is passed over', link(2_500), [{ level: 19, rawBytesPerMs: 0, ratio: 99 }, HERE[0] as LevelFigures], 1],
  ])('%s', (_what, rate, levels, level) => {
    expect(chooseZstdLevel(rate, levels)).toBe(level);
  });
});

describe('noteLinkTransfer', () => {
  it('ignores a transfer too short to time, and a bogus clock', () => {
    expect(noteLinkTransfer(undefined, MIN_LINK_SAMPLE_BYTES - 1, 1)).toBeUndefined();
    expect(noteLinkTransfer(undefined, MIN_LINK_SAMPLE_BYTES, -1)).toBeUndefined();
    expect(noteLinkTransfer(undefined, MIN_LINK_SAMPLE_BYTES, Number.NaN)).toBeUndefined();
  });

  it('counts only what crossed after the first packet, which came before the clock started', () => {
    // 20 Mbit/s: 160 KiB whose first 32 KiB came with the request, the other 128 KiB in 52 ms.
    const bytes = FIRST_PACKET_BYTES + 128 * 1024;
    expect(noteLinkTransfer(undefined, bytes, (128 * 1024) / 2_500)?.bytesPerMs).toBeCloseTo(2_500);
  });

  it('takes the median of the last nine transfers, so one outlier does not move it', () => {
    const bytes = FIRST_PACKET_BYTES + 100_000;
    let rate: LinkRate | undefined;
    for (let i = 0; i < 12; i++) rate = noteLinkTransfer(rate, bytes, 10);
    rate = noteLinkTransfer(rate, bytes, 0); // all in one clock tick: as fast as can be told
    expect(rate?.bytesPerMs).toBe(10_000);
    expect(rate?.samples).toHaveLength(9);
    expect(rate?.samples.at(-1)).toBe(10_000_000);
  });

  it('follows a link that got slower within a few transfers', () => {
    const bytes = FIRST_PACKET_BYTES + 1_000_000;
    let rate: LinkRate | undefined;
    for (let i = 0; i < 9; i++) rate = noteLinkTransfer(rate, bytes, 1);
    for (let i = 0; i < 5; i++) rate = noteLinkTransfer(rate, bytes, 400);
    expect(rate?.bytesPerMs).toBe(2_500);
  });
});
