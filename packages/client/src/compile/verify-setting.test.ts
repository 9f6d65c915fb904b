import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshccError } from '@sshcc/core';
import { PathWatches } from './path-watches';
import { deafWatch, turn } from './path-watches-test-fixture';
import { clientConfigPath, verifySetting, WatchedClientConfigs } from './verify-setting';

let dir: string;
let env: Record<string, string>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-verify-setting-'));
  env = { SSHCC_DIR: dir };
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const config = (text: string): string => {
  const file = join(dir, 'config.json');
  writeFileSync(file, text);
  return file;
};

/** The config error's message and exit code, or the setting. */
function setting(): unknown {
  try {
    return verifySetting(env, '/nonexistent-home');
  } catch (err) {
    if (!(err instanceof SshccError)) throw err;
    return { code: err.code, exitCode: err.exitCode, message: err.message };
  }
}

it('is off with neither SSHCC_VERIFY nor a config file', () => {
  expect(setting()).toEqual({ rate: 0, source: null });
});

it('lives beside the hosts file: $SSHCC_DIR, else ~/.sshcc', () => {
  expect(clientConfigPath({ SSHCC_DIR: '/d' }, '/home/me')).toBe('/d/config.json');
  expect(clientConfigPath({}, '/home/me')).toBe('/home/me/.sshcc/config.json');
});

it.each<[string, string | null, unknown]>([
  ['the config file alone', null, 0.25],
  ['SSHCC_VERIFY over the file', '1', 1],
  ['SSHCC_VERIFY=0 turning off what the file sets', '0', 0],
  ['the config file when SSHCC_VERIFY is empty', '', 0.25],
])('takes %s', (_name, variable, rate) => {
  const file = config('{"verify": 0.25}');
  if (variable !== null) env.SSHCC_VERIFY = variable;
  expect(setting()).toEqual({ rate, source: variable === null || variable === '' ? file : 'SSHCC_VERIFY' });
});

it.each<[string, string, string]>([
  ['a bad SSHCC_VERIFY', 'SSHCC_VERIFY', 'SSHCC_VERIFY=lots: not a fraction from 0 to 1'],
  ['a verify above 1', '{"verify": 2}', 'FILE: verify=2: not a fraction from 0 to 1'],
  ['a verify below 0', '{"verify": -0.5}', 'FILE: verify=-0.5: not a fraction from 0 to 1'],
  ['a verify that is a string', '{"verify": "0.5"}', 'FILE: verify: Invalid input: expected number, received string'],
  ['a misspelt key', '{"verfy": 0.5}', 'FILE: Unrecognized key: "verfy"'],
])('refuses %s with a config error (exit 102)', (_name, given, message) => {
  let file = '';
  if (given === 'SSHCC_VERIFY') env.SSHCC_VERIFY = 'lots';
  else file = config(given);
  expect(setting()).toEqual({ code: 'config', exitCode: 102, message: message.replace('FILE', file) });
});

it('refuses a file that is not JSON with a config error (exit 102)', () => {
  const file = config('{verify: 1}');
  // JSON.parse's own words differ between Node versions.
  expect(setting()).toEqual({ code: 'config', exitCode: 102, message: expect.stringMatching(new RegExp(`^${file}: not JSON: .*position 1`)) });
});

it('reads the file again once it changes', () => {
  const file = config('{"verify": 0.5}');
  expect(setting()).toEqual({ rate: 0.5, source: file });
  writeFileSync(file, '{"verify": 0.1}');
  // Same size as before: the mtime tells the change.
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  expect(setting()).toEqual({ rate: 0.1, source: file });
});

describe("the agent's watched config file", () => {
  let watches: PathWatches;
  beforeEach(() => (watches = new PathWatches()));
  afterEach(() => watches.close());

  const watchedSetting = (configs: WatchedClientConfigs) => verifySetting(env, '/nonexistent-home', (file) => configs.read(file));

  it('takes an edit, a new file and a removal at the next compile', async () => {
    const configs = new WatchedClientConfigs(watches);
    expect(watchedSetting(configs)).toEqual({ rate: 0, source: null });
    const file = config('{"verify": 0.5}');
    await turn();
    expect(watchedSetting(configs)).toEqual({ rate: 0.5, source: file });
    // Same size, same second: only the watch can tell.
    writeFileSync(file, '{"verify": 0.1}');
    await turn();
    expect(watchedSetting(configs)).toEqual({ rate: 0.1, source: file });
    rmSync(file);
    await turn();
    expect(watchedSetting(configs)).toEqual({ rate: 0, source: null });
  });

  it('reads the file only when a change is seen (none seen: the old setting holds)', async () => {
    const configs = new WatchedClientConfigs(new PathWatches({ watch: deafWatch }));
    const file = config('{"verify": 0.5}');
    expect(watchedSetting(configs)).toEqual({ rate: 0.5, source: file });
    writeFileSync(file, '{"verify": 0.1}');
    await turn();
    expect(watchedSetting(configs)).toEqual({ rate: 0.5, source: file });
  });

  it('says a bad file is bad on every compile until it is fixed', async () => {
    const configs = new WatchedClientConfigs(watches);
    const file = config('{"verify": 2}');
    for (let i = 0; i < 2; i++) expect(() => watchedSetting(configs)).toThrow(`${file}: verify=2: not a fraction from 0 to 1`);
    writeFileSync(file, '{"verify": 1}');
    await turn();
    expect(watchedSetting(configs)).toEqual({ rate: 1, source: file });
  });
});
