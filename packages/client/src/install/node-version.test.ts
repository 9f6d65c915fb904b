import { isSshccError } from '@sshcc/core';
import { checkNodeVersion } from './node-version';

const HINT = 'install Node.js 20 or newer there, where a non-interactive `ssh host node --version` finds it';

describe('checkNodeVersion', () => {
  it.each(['v20.0.0', 'v20.20.2', 'v22.11.0', 'v24.1.0'])('accepts %s', (version) => {
    expect(checkNodeVersion('/usr/bin/node', version, 'me@box:22')).toBe(version);
  });

  it.each<[string | undefined, string | undefined, string]>([
    ['', undefined, 'no node on the PATH of me@box:22'],
    [undefined, undefined, 'no node on the PATH of me@box:22'],
    ['/usr/bin/node', 'v18.19.0', '/usr/bin/node on me@box:22 is Node v18.19.0; sshcc-server needs 20 or newer'],
    ['/usr/bin/node', 'v8.10.0', '/usr/bin/node on me@box:22 is Node v8.10.0; sshcc-server needs 20 or newer'],
    ['/opt/node', '', '/opt/node on me@box:22 does not say which version it is ("")'],
    ['/opt/node', 'Segmentation fault', '/opt/node on me@box:22 does not say which version it is ("Segmentation fault")'],
  ])('refuses node %j %j', (node, version, message) => {
    let thrown: unknown;
    try {
      checkNodeVersion(node, version, 'me@box:22');
    } catch (err) {
      thrown = err;
    }
    expect(isSshccError(thrown) && { code: thrown.code, message: thrown.message, hint: thrown.hint }).toEqual({ code: 'config', message, hint: HINT });
  });
});
