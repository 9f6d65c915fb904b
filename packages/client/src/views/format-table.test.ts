import { formatFields, formatTable } from './format-table';

describe('formatTable / formatFields', () => {
  it('lines up columns without trailing spaces', () => {
    expect(formatTable([['spec', 'slots', 'x'], ['localhost/2', '2', ''], ['a', '16', 'zstd']])).toBe(
      'spec         slots  x\nlocalhost/2  2\na            16     zstd\n',
    );
  });

  it('lines up field values', () => {
    expect(formatFields([['mode', 'local'], ['extra outputs', 'none']])).toBe('mode:           local\nextra outputs:  none\n');
  });
});
