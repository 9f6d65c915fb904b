import { runtimeFolderName, runtimeId, runtimeLibraries, runtimeMismatch, runtimeSums, type RuntimeFile } from './runtime-manifest';

// ldd of the official node build (this machine's) and of Debian's nodejs package, which puts V8 and
// friends in a shared libnode that a volunteer without that package lacks.
const OFFICIAL = `	linux-vdso.so.1 (0x00007ffd5b3f2000)
	libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f0e1c8a3000)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0e1c600000)
	libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f0e1c7c3000)
	libgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f0e1c7a3000)
	libpthread.so.0 => /lib/x86_64-linux-gnu/libpthread.so.0 (0x00007f0e1c79e000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e1c41f000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f0e1c8b5000)
`;
const DEBIAN = `	linux-vdso.so.1 (0x00007ffc1a1e6000)
	libnode.so.109 => /lib/x86_64-linux-gnu/libnode.so.109 (0x00007f5a3c000000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f5a3be1f000)
	libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f5a3f9e0000)
	libuv.so.1 => /lib/x86_64-linux-gnu/libuv.so.1 (0x00007f5a3f9ab000)
	libbrotlidec.so.1 => /lib/x86_64-linux-gnu/libbrotlidec.so.1 (0x00007f5a3f99d000)
	libicui18n.so.72 => /lib/x86_64-linux-gnu/libicui18n.so.72 (0x00007f5a3ba00000)
	libssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007f5a3b956000)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f5a3b600000)
	libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f5a3f8be000)
	libgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f5a3f89e000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f5a3fa3c000)
	libicuuc.so.72 => /lib/x86_64-linux-gnu/libicuuc.so.72 (0x00007f5a3b402000)
	libicudata.so.72 => /lib/x86_64-linux-gnu/libicudata.so.72 (0x00007f5a39800000)
`;

describe('runtimeLibraries', () => {
  it('ships nothing with a node that loads only libc, libstdc++ and libgcc_s', () => {
    expect(runtimeLibraries(OFFICIAL)).toEqual([]);
  });

  it("ships Debian's libnode and what it loads, not the system's own libraries", () => {
    expect(runtimeLibraries(DEBIAN)).toEqual(
      ['libnode.so.109', 'libz.so.1', 'libuv.so.1', 'libbrotlidec.so.1', 'libicui18n.so.72', 'libssl.so.3', 'libicuuc.so.72', 'libicudata.so.72'].map((name) => `/lib/x86_64-linux-gnu/${name}`),
    );
  });

  it('ships nothing for a static node (ldd failed: no output)', () => {
    expect(runtimeLibraries('')).toEqual([]);
  });
});

describe('runtimeMismatch', () => {
  it.each<[string, string, string, string, string | null]>([
    ['linux', 'x64', 'Linux', 'x86_64', null],
    ['linux', 'arm64', 'Linux', 'aarch64', null],
    ['linux', 'x64', 'Linux', 'aarch64', "it is aarch64, and this machine's node is x86_64"],
    ['linux', 'arm64', 'Linux', 'x86_64', "it is x86_64, and this machine's node is aarch64"],
    ['linux', 'x64', 'FreeBSD', 'amd64', "it runs FreeBSD, and this machine's node is a Linux one"],
    ['linux', 'x64', 'Linux', '', "it is of an unknown architecture, and this machine's node is x86_64"],
    ['darwin', 'arm64', 'Linux', 'aarch64', "this machine's node is built for darwin-arm64, not a Linux one sshcc can ship"],
  ])('%s-%s to %s %s', (platform, arch, system, machine, reason) => {
    expect(runtimeMismatch({ platform, arch }, { system, machine })).toBe(reason);
  });
});

describe('runtime content address', () => {
  const node: RuntimeFile = { path: 'bin/node', sha256: 'a'.repeat(64), mode: 0o555, size: 10 };
  const lib: RuntimeFile = { path: 'lib/libnode.so.109', sha256: 'b'.repeat(64), mode: 0o444, size: 5 };

  it('is the same for the same files in any order, and differs when a hash or a mode does', () => {
    const id = runtimeId([node, lib]);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(runtimeId([lib, node])).toBe(id);
    expect(runtimeId([{ ...node, sha256: 'c'.repeat(64) }, lib])).not.toBe(id);
    expect(runtimeId([{ ...node, mode: 0o755 }, lib])).not.toBe(id);
    expect(runtimeFolderName(id)).toBe(`node-${id}`);
  });

  it('lists sums as sha256sum -c reads them', () => {
    expect(runtimeSums([lib, node])).toBe(`${'a'.repeat(64)}  bin/node\n${'b'.repeat(64)}  lib/libnode.so.109\n`);
  });
});
