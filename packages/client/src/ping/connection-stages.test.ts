import { SshccError, type SshccErrorCode } from '@sshcc/core';
import { connectionStages, type ConnectionStages } from './connection-stages';

const fromServer = (code: SshccErrorCode): SshccError => new SshccError(code, 'x', { cause: new Error('from ssh2') });
const beforeDialling = (code: SshccErrorCode): SshccError => new SshccError(code, 'x');
const stages = (reachable: boolean | null, hostKeyOk: boolean | null, authOk: boolean | null): ConnectionStages => ({ reachable, hostKeyOk, authOk });

describe('connectionStages', () => {
  it.each<[string, SshccError | null, boolean, ConnectionStages]>([
    ['no failure', null, true, stages(true, true, true)],
    ['connected, then the server failed', fromServer('protocol'), true, stages(true, true, true)],
    ['connection refused', fromServer('connect'), false, stages(false, null, null)],
    ['timed out', fromServer('timeout'), false, stages(false, null, null)],
    ['changed host key', fromServer('host-key'), false, stages(true, false, null)],
    ['every key refused (the host key was checked first)', fromServer('auth'), false, stages(true, true, false)],
    ['no key to offer at all', beforeDialling('auth'), false, stages(null, null, false)],
    ['ssh handshake failed', fromServer('protocol'), false, stages(true, null, null)],
    ['bad ssh config', beforeDialling('config'), false, stages(null, null, null)],
  ])('%s', (_what, failure, connected, expected) => {
    expect(connectionStages(failure, connected)).toEqual(expected);
  });
});
