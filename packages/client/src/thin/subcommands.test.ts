import { CLI_COMMANDS } from '../cli/commands';
import { isMasqueradeName } from '../masquerade/compiler-names';
import { SUBCOMMANDS, classifyInvocation } from './subcommands';

describe('classifyInvocation', () => {
  it.each([
    ['sshcc', [], { mode: 'cli' }],
    ['sshcc', ['--help'], { mode: 'cli' }],
    ['sshcc', ['--version'], { mode: 'cli' }],
    ['/usr/bin/sshcc', ['agent', 'status'], { mode: 'cli' }],
    ['sshcc', ['explain', '--', 'gcc', '-c', 'a.c'], { mode: 'cli' }],
    ['sshcc', ['gcc', '-c', 'a.c'], { mode: 'compile', argv: ['gcc', '-c', 'a.c'] }],
    ['sshcc', ['/usr/bin/cc', '-c', 'a.c'], { mode: 'compile', argv: ['/usr/bin/cc', '-c', 'a.c'] }],
    ['sshcc', ['./agent', '-c', 'a.c'], { mode: 'compile', argv: ['./agent', '-c', 'a.c'] }],
    ['sshcc', [''], { mode: 'compile', argv: [''] }],
    ['gcc', ['-c', 'a.c'], { mode: 'compile', argv: ['gcc', '-c', 'a.c'] }],
    ['/opt/m/g++', ['agent'], { mode: 'compile', argv: ['/opt/m/g++', 'agent'] }],
    ['/opt/m/clang', [], { mode: 'compile', argv: ['/opt/m/clang'] }],
  ])('%s %j', (argv0, args, expected) => {
    expect(classifyInvocation(argv0, args, isMasqueradeName)).toEqual(expected);
  });

  it('lists every CLI command, so the shim sends it to the CLI rather than to a compiler', () => {
    for (const command of CLI_COMMANDS) expect(SUBCOMMANDS).toContain(command.name);
  });
});
