import { checkShape, lossRuleset, netemArgs, parseLossCounters, tbfArgs } from './link-shaping';

describe('link shaping arguments', () => {
  it('netem does delay, rate and loss in one qdisc', () => {
    expect(netemArgs({ delayMs: 25, rateMbit: 20, lossPercent: 0.5 })).toEqual(['netem', 'delay', '25ms', 'rate', '20mbit', 'loss', '0.5%', 'limit', '100000']);
    expect(netemArgs({ delayMs: 10, rateMbit: undefined, lossPercent: 0 })).toEqual(['netem', 'delay', '10ms', 'limit', '100000']);
  });

  it('tbf holds the rate with a burst of at least one GSO packet and a queue of a quarter second', () => {
    expect(tbfArgs(20)).toEqual(['tbf', 'rate', '20mbit', 'burst', '65536', 'limit', '625000']);
    expect(tbfArgs(1)).toEqual(['tbf', 'rate', '1mbit', 'burst', '65536', 'limit', '262144']);
  });

  it('loss rules drop IP packets at random at both hooks of the device, counting before and after', () => {
    const text = lossRuleset('sw1-0n', 0.5);
    expect(text).toContain('type filter hook ingress device "sw1-0n" priority 0; policy accept;');
    expect(text).toContain('type filter hook egress device "sw1-0n" priority 0; policy accept;');
    expect(text.match(/meta protocol ip counter numgen random mod 1000000 < 5000 counter drop;/g)).toHaveLength(2);
  });

  it('reads the counters nft lists', () => {
    const listing = [
      'table netdev sshcc_wan {',
      '\tchain loss_in {',
      '\t\tmeta protocol ip counter packets 200 bytes 9000 numgen random mod 1000000 < 5000 counter packets 3 bytes 120 drop',
      '\t}',
      '\tchain loss_out {',
      '\t\tmeta protocol ip counter packets 100 bytes 9000 numgen random mod 1000000 < 5000 counter packets 1 bytes 60 drop',
      '\t}',
      '}',
    ].join('\n');
    expect(parseLossCounters(listing)).toEqual({ seen: 300, dropped: 4 });
  });

  it.each([
    [{ delayMs: -1, rateMbit: 20, lossPercent: 0 }, 'delayMs must be >= 0, got -1'],
    [{ delayMs: 25, rateMbit: 0, lossPercent: 0 }, 'rateMbit must be > 0, got 0'],
    [{ delayMs: 25, rateMbit: 20, lossPercent: 100 }, 'lossPercent must be in [0, 100), got 100'],
  ])('refuses a shape it cannot apply: %j', (shape, message) => {
    expect(() => checkShape(shape)).toThrow(`testkit: ${message}`);
  });
});
