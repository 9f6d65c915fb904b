import { inexactDiagnostics, volunteerColour, type RemoteDiagnostics } from './remote-diagnostics';

const EXACT: RemoteDiagnostics = { args: ['-c', '-Wall'], printed: "a.c:3:7: warning: unused variable 'x' [-Wunused-variable]\n", mirrored: true, linesChecked: true, preprocessorStderrBytes: 0, ownPalette: false };

describe('inexactDiagnostics', () => {
  it.each<[string, Partial<RemoteDiagnostics>, ReturnType<typeof inexactDiagnostics>]>([
    ['checked lines compiled in a full mirror', {}, null],
    ['no diagnostics at all', { printed: '' }, null],
    ['a server that built no mirror', { mirrored: false }, 'diagnostics'],
    ['a client that did not check the lines', { linesChecked: false }, 'diagnostics'],
    ['a GCC_COLORS palette', { ownPalette: true }, 'diagnostics'],
    ['cpp warnings (#warning)', { preprocessorStderrBytes: 40 }, 'preprocessor-diagnostics'],
    ['cpp warnings beside an unchecked source', { preprocessorStderrBytes: 40, linesChecked: false }, 'preprocessor-diagnostics'],
    ['a -Wformat warning', { printed: "a.c:9:12: warning: format '%d' expects argument of type 'int' [-Wformat=]\n" }, 'format-diagnostics'],
    ['a -Wformat-overflow warning', { printed: 'a.c:9:3: warning: writing 3 bytes [-Wformat-overflow=]\n' }, 'format-diagnostics'],
    ['a -Werror=format error', { printed: "a.c:9:12: error: format '%d' expects [-Werror=format=]\n" }, 'format-diagnostics'],
    ['a coloured -Wformat warning', { printed: '[\u001b[01;35m\u001b[K-Wformat=\u001b[m\u001b[K]' }, 'format-diagnostics'],
    ['diagnostics without their option named', { args: ['-c', '-fno-diagnostics-show-option'] }, 'format-diagnostics'],
    ['no diagnostics, options hidden', { args: ['-c', '-fno-diagnostics-show-option'], printed: '' }, null],
  ])('%s', (_what, fields, expected) => {
    expect(inexactDiagnostics({ ...EXACT, ...fields })).toBe(expected);
  });
});

describe('volunteerColour', () => {
  const TERM = { TERM: 'xterm-256color' };
  it.each<[string, string[], Record<string, string>, boolean, ReturnType<typeof volunteerColour>]>([
    ['a terminal, gcc left to decide', [], TERM, true, { flag: '-fdiagnostics-color=always', ownPalette: false }],
    ['a terminal, =auto given', ['-fdiagnostics-color=auto'], TERM, true, { flag: '-fdiagnostics-color=always', ownPalette: false }],
    ['a pipe', [], TERM, false, { flag: null, ownPalette: false }],
    ['a dumb terminal', [], { TERM: 'dumb' }, true, { flag: null, ownPalette: false }],
    ['a terminal without TERM', [], {}, true, { flag: null, ownPalette: false }],
    ['colour asked for (the flag travels as is)', ['-fdiagnostics-color'], {}, false, { flag: null, ownPalette: false }],
    ['colour turned off', ['-fno-diagnostics-color'], TERM, true, { flag: null, ownPalette: false }],
    ['plain output', ['-fdiagnostics-plain-output'], TERM, true, { flag: null, ownPalette: false }],
    ['the last setting wins', ['-fdiagnostics-color=never', '-fdiagnostics-color=always'], {}, false, { flag: null, ownPalette: false }],
    ['a palette of its own', [], { ...TERM, GCC_COLORS: 'error=01;32' }, true, { flag: '-fdiagnostics-color=always', ownPalette: true }],
    ['a palette, no colour anyway', [], { GCC_COLORS: '' }, false, { flag: null, ownPalette: false }],
  ])('%s', (_what, args, env, terminal, expected) => {
    expect(volunteerColour(args, env, terminal)).toEqual(expected);
  });
});
