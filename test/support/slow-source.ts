/**
 * C source that keeps gcc -O2 busy for several seconds on this 2-core machine: many functions whose
 * loops the optimiser unrolls and vectorises, all kept alive by main.
 */
export function slowCSource(functions = 3000): string {
  const lines = ['volatile int sink;'];
  for (let i = 0; i < functions; i++) {
    lines.push(
      `int f${i}(int n) { int s = ${i}; for (int j = 0; j < n; j++) { s = s * 31 + (j ^ ${i}); if (s & 4) s >>= 1; } return s; }`,
    );
  }
  lines.push('int main(void) {', '  int t = 0;');
  for (let i = 0; i < functions; i++) lines.push(`  t += f${i}(sink);`);
  lines.push('  return t;', '}');
  return `${lines.join('\n')}\n`;
}
