import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_JOB_SECONDS, DEFAULT_TOOLCHAINS_MAX_BYTES, loadServerConfig, serverConfigPath } from '@sshcc/server';

let xdg: string;
beforeEach(() => {
  xdg = mkdtempSync(join(tmpdir(), 'sshcc-config-'));
  mkdirSync(join(xdg, 'sshcc'));
});
afterEach(() => rmSync(xdg, { recursive: true, force: true }));

const write = (text: string) => writeFileSync(join(xdg, 'sshcc', 'server.json'), text);

describe('server config', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(serverConfigPath({ XDG_CONFIG_HOME: '/x/conf' })).toBe('/x/conf/sshcc/server.json');
    expect(serverConfigPath({ XDG_CONFIG_HOME: 'relative' })).toBe(join(homedir(), '.config', 'sshcc', 'server.json'));
    expect(serverConfigPath({})).toBe(join(homedir(), '.config', 'sshcc', 'server.json'));
  });

  it('defaults when the file is absent', () => {
    expect(loadServerConfig({ XDG_CONFIG_HOME: xdg })).toEqual({
      file: join(xdg, 'sshcc', 'server.json'),
      found: false,
      compilers: null,
      maxJobSeconds: DEFAULT_MAX_JOB_SECONDS,
      cache: {},
      toolchainsMaxBytes: DEFAULT_TOOLCHAINS_MAX_BYTES,
      slots: availableParallelism(),
      slotsError: null,
    });
  });

  it.each([
    ['{"slots": 3}', 3, null],
    ['{"slots": 0}', 0, null],
    ['{"slots": 4096}', 4096, null],
    ['{}', availableParallelism(), null],
    ['{"slots": -1}', availableParallelism(), '-1'],
    ['{"slots": 2.5}', availableParallelism(), '2.5'],
    ['{"slots": "4"}', availableParallelism(), '"4"'],
    ['{"slots": null}', availableParallelism(), 'null'],
    ['{"slots": 4097}', availableParallelism(), '4097'],
  ])('reads slots from %s; a bad value is one line and the CPU count', (text, slots, shown) => {
    write(text);
    const file = join(xdg, 'sshcc', 'server.json');
    const error = shown === null ? null : `${file}: slots: ${shown} is not a whole number from 0 to 4096; using ${availableParallelism()} (the CPU count)`;
    expect(loadServerConfig({ XDG_CONFIG_HOME: xdg })).toMatchObject({ slots, slotsError: error });
  });

  it('a bad slots value leaves the rest of the config in force', () => {
    write('{"slots": "lots", "maxJobSeconds": 30}');
    expect(loadServerConfig({ XDG_CONFIG_HOME: xdg })).toMatchObject({ maxJobSeconds: 30, slots: availableParallelism() });
  });

  it.each([
    ['{"toolchains": {"maxSize": "4G"}}', 4 * 1024 ** 3],
    ['{"toolchains": {"maxSize": 1000}}', 1000],
    ['{"toolchains": {"enabled": false}}', null],
  ])('reads toolchains %s', (text, bytes) => {
    write(text);
    expect(loadServerConfig({ XDG_CONFIG_HOME: xdg }).toolchainsMaxBytes).toBe(bytes);
  });

  it('takes no packs under a forced command (a restricted key) unless the owner turns them on', () => {
    const forced = { XDG_CONFIG_HOME: xdg, SSH_ORIGINAL_COMMAND: 'sshcc' };
    expect(loadServerConfig(forced).toolchainsMaxBytes).toBeNull();
    write('{"toolchains": {"enabled": true}}');
    expect(loadServerConfig(forced).toolchainsMaxBytes).toBe(DEFAULT_TOOLCHAINS_MAX_BYTES);
  });

  it('a bad toolchains size is a one-line config error naming the field', () => {
    write('{"toolchains": {"maxSize": "lots"}}');
    expect(() => loadServerConfig({ XDG_CONFIG_HOME: xdg })).toThrow(/server\.json: toolchains\.maxSize: a size such as 5G/);
  });

  it('reads compilers and maxJobSeconds', () => {
    write('{"compilers": ["gcc-12", "clang-*"], "maxJobSeconds": 30}');
    expect(loadServerConfig({ XDG_CONFIG_HOME: xdg })).toMatchObject({ found: true, compilers: ['gcc-12', 'clang-*'], maxJobSeconds: 30 });
  });

  it.each([
    ['{"maxJobSeconds": 0}', 'maxJobSeconds: Too small: expected number to be >=1'],
    ['{"compilers": ["/usr/bin/gcc"]}', 'compilers.0: a compiler is a bare name (wildcard *), no path'],
    ['{"compiler": ["gcc"]}', 'Unrecognized key: "compiler"'],
    ['{"compilers": []}', 'compilers: Too small: expected array to have >=1 items'],
    ['{oops', 'not JSON:'],
  ])('refuses %s', (text, message) => {
    write(text);
    expect(() => loadServerConfig({ XDG_CONFIG_HOME: xdg })).toThrow(`${join(xdg, 'sshcc', 'server.json')}: ${message}`);
  });
});
