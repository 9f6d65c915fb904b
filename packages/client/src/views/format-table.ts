/** Rows of cells as left-aligned columns two spaces apart, the first row a header (no trailing spaces). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n').join('');
}

/** `label:  value` lines with the values lined up. */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([label]) => label.length + 1));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}\n`).join('');
}

/** Every non-empty line two spaces in: a block under its section's header. */
export function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
