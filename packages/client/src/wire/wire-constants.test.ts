// The C shim repeats the protocol's numbers; these must never drift apart.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AGENT_RETRY_MS, AGENT_START_WAIT_MS } from '../thin/connect-agent';
import { MAX_DEPTH } from '../thin/handover-env';
import { CLIENT_CHECKED_BYTES, CLIENT_END_BYTES, CLIENT_FRAME_KIND, COMPILE_BODY_FIXED_BYTES, FRAME_KIND, REQUEST_HEADER_BYTES, REQUEST_KIND, REQUEST_MAGIC, SOCKET_FRAME_HEADER_BYTES, WIRE_VERSION } from './wire-format';
import * as limits from './wire-limits';
import { NETWORK_FS_TYPES } from './network-fs';
import { EXIT_CODES } from '@sshcc/core';

const header = readFileSync(resolve(__dirname, '../../shim/sshcc-shim.h'), 'utf8');

function defined(name: string): number {
  const match = new RegExp(`^#define ${name} (.+)$`, 'm').exec(header);
  if (!match) throw new Error(`shim/sshcc-shim.h does not define ${name}`);
  const expression = (match[1] as string).replace(/(\d+|0x[0-9a-f]+)u\b/gi, '$1');
  if (!/^[\d\sx*()a-f+]+$/i.test(expression)) throw new Error(`unexpected value for ${name}: ${match[1]}`);
  return Function(`return (${expression});`)() as number;
}

describe('shim/sshcc-shim.h agrees with the TypeScript protocol', () => {
  // Each row: the C name, the TypeScript value. The C names FRAME_HEADER_BYTES and MAX_FRAME_BYTES stay
  // short: the shim knows only the agent socket's frames, while TypeScript calls them SOCKET_FRAME_HEADER_BYTES
  // and MAX_SOCKET_FRAME_BYTES, apart from @sshcc/protocol's ssh channel frames.
  it.each([
    ['REQUEST_MAGIC', REQUEST_MAGIC],
    ['WIRE_VERSION', WIRE_VERSION],
    ['REQUEST_HEADER_BYTES', REQUEST_HEADER_BYTES],
    ['COMPILE_BODY_FIXED_BYTES', COMPILE_BODY_FIXED_BYTES],
    ['REQUEST_KIND_COMPILE', REQUEST_KIND.compile],
    ['FRAME_HEADER_BYTES', SOCKET_FRAME_HEADER_BYTES],
    ['FRAME_EXEC', FRAME_KIND.exec],
    ['FRAME_STDOUT', FRAME_KIND.stdout],
    ['FRAME_STDERR', FRAME_KIND.stderr],
    ['FRAME_EXIT', FRAME_KIND.exit],
    ['FRAME_SIGNAL', FRAME_KIND.signal],
    ['FRAME_PREPROCESS', FRAME_KIND.preprocess],
    ['CLIENT_FRAME_OUTPUT', CLIENT_FRAME_KIND.output],
    ['CLIENT_FRAME_DIAGNOSTICS', CLIENT_FRAME_KIND.diagnostics],
    ['CLIENT_FRAME_END', CLIENT_FRAME_KIND.end],
    ['CLIENT_END_BYTES', CLIENT_END_BYTES],
    ['CLIENT_FRAME_CHECKED', CLIENT_FRAME_KIND.checked],
    ['CLIENT_CHECKED_BYTES', CLIENT_CHECKED_BYTES],
    ['MAX_REQUEST_BODY_BYTES', limits.MAX_REQUEST_BODY_BYTES],
    ['MAX_ARGC', limits.MAX_ARGC],
    ['MAX_ENVC', limits.MAX_ENVC],
    ['MAX_STRING_BYTES', limits.MAX_STRING_BYTES],
    ['MAX_FRAME_BYTES', limits.MAX_SOCKET_FRAME_BYTES],
    ['MAX_ANSWER_BYTES', limits.MAX_ANSWER_BYTES],
    ['SOCKET_PATH_MAX_BYTES', limits.SOCKET_PATH_MAX_BYTES],
    ['AGENT_START_WAIT_MS', AGENT_START_WAIT_MS],
    ['AGENT_RETRY_MS', AGENT_RETRY_MS],
    ['MAX_DEPTH', MAX_DEPTH],
    ['EXIT_USAGE', EXIT_CODES.usage.exitCode],
    ['EXIT_COMPILER_NOT_FOUND', EXIT_CODES['compiler-not-found'].exitCode],
    ['EXIT_AGENT_UNAVAILABLE', EXIT_CODES['agent-unavailable'].exitCode],
    ['EXIT_INTERNAL', EXIT_CODES.internal.exitCode],
  ])('%s', (name, value) => {
    expect(defined(name)).toBe(value);
  });

  it('has the same network file system table', () => {
    const table = /network_fs_types\[\] = \{([^}]*)\}/.exec(readFileSync(resolve(__dirname, '../../shim/agent-paths.c'), 'utf8'));
    const values = (table?.[1] ?? '').split(',').map((v) => v.trim()).filter(Boolean).map(Number);
    expect(values.sort()).toEqual([...NETWORK_FS_TYPES.keys()].sort());
  });
});
