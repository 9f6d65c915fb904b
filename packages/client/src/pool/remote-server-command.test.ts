import { execFileSync } from 'node:child_process';
import { DEFAULT_SERVER_COMMAND, remoteServerCommand, shellCommand, shellQuote } from './remote-server-command';

describe('shellQuote', () => {
  it.each([
    ['plain/path-1.js', 'plain/path-1.js'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
    ['$HOME', "'$HOME'"],
    ['~/x', "'~/x'"],
  ])('%s → %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });

  it('survives a real shell unchanged', () => {
    const argv = ['a b', "it's", '$HOME', '`id`', 'x;y', '"q"', '\\', '*', ''];
    const printed = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${shellCommand(argv)}`], { encoding: 'utf8' });
    expect(printed).toBe(argv.map((word) => `${word}\n`).join(''));
  });
});

describe('remoteServerCommand', () => {
  it('uses SSHCC_SERVER_COMMAND as written', () => {
    expect(remoteServerCommand({ SSHCC_SERVER_COMMAND: "/usr/bin/node '/srv/sshcc server.js'" })).toBe("/usr/bin/node '/srv/sshcc server.js'");
  });

  it('defaults to the per-user install, left for the remote shell to expand', () => {
    expect(remoteServerCommand({})).toBe('~/.local/lib/sshcc/sshcc-server');
    expect(DEFAULT_SERVER_COMMAND.startsWith('~/')).toBe(true);
  });
});
