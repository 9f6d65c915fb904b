import { NAMESPACE_PATTERN, planLink, usedBlocks } from './link-plan';

describe('planLink', () => {
  it('names fit Linux (interface names <= 15 bytes) for the largest pid and many links', () => {
    const plan = planLink(4_194_304, 999, new Set());
    expect(plan.hostVeth).toBe('sw4194304-999h');
    expect(plan.nsVeth).toBe('sw4194304-999n');
    expect(plan.hostVeth.length).toBeLessThanOrEqual(15);
    expect(NAMESPACE_PATTERN.exec(plan.namespace)?.slice(1)).toEqual(['4194304', '999']);
  });

  it('gives both ends of one /30 in 10.213/16, and distinct links distinct blocks', () => {
    const a = planLink(1234, 0, new Set());
    const b = planLink(1234, 1, new Set());
    expect(a.hostAddress).toMatch(/^10\.213\.\d+\.\d+$/);
    const last = (address: string): number => Number(address.split('.')[3]);
    expect(last(a.hostAddress) % 4).toBe(1);
    expect(a.nsAddress).toBe(a.hostAddress.replace(/\d+$/, String(last(a.hostAddress) + 1)));
    expect(b.hostAddress).not.toBe(a.hostAddress);
    expect(b.namespace).not.toBe(a.namespace);
  });

  it('skips blocks `ip addr` shows in use (another worker, another link)', () => {
    const first = planLink(77, 0, new Set());
    const used = usedBlocks(`5: x    inet ${first.hostAddress}/30 scope global x\n6: lo    inet 127.0.0.1/8 scope host lo\n`);
    expect(used.size).toBe(1);
    expect(planLink(77, 0, used).hostAddress).not.toBe(first.hostAddress);
  });
});
