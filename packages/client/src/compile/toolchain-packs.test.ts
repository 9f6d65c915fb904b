import { whyNoPush } from './toolchain-packs';

const PACK = 'a'.repeat(64);

describe('whyNoPush', () => {
  it.each([
    ['same arch, takes packs (none yet)', { arch: 'x64', packs: [] }, null],
    ['same arch, holds one', { arch: 'x64', packs: [PACK] }, null],
    ['another arch', { arch: 'arm64', packs: [] }, /^it is arm64, this machine x64: it cannot run this machine's compilers, so it takes only jobs whose compiler it has itself with an identical fingerprint$/],
    // toolchains.enabled false on a foreign volunteer: the arch is the reason that would stay if it were turned on.
    ['another arch, takes no packs', { arch: 'arm64' }, /^it is arm64, this machine x64/],
    ['takes no packs', { arch: 'x64' }, /^its sshcc-server takes no toolchain packs \(an older version, or toolchains\.enabled is false\)$/],
    ['an older server (neither field)', {}, /^its sshcc-server takes no toolchain packs/],
    ['takes packs but names no arch', { packs: [] }, /^it does not say its arch/],
  ])('%s', (_case, hello: { arch?: string; packs?: string[] }, expected) => {
    const why = whyNoPush(hello, 'x64');
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });
});
