'use strict';
// Where two texts (a build's stderr here and there) part: the first line that differs, with a few lines of
// each from there, for a report that shows what differs instead of only that it does.

/** null when equal, else { line (1-based), a: [lines], b: [lines] } from the first differing line on. */
function firstDifference(a, b, context = 5) {
  if (a === b) return null;
  const left = a.split('\n');
  const right = b.split('\n');
  let i = 0;
  while (i < left.length && i < right.length && left[i] === right[i]) i++;
  return { line: i + 1, a: left.slice(i, i + context), b: right.slice(i, i + context) };
}

module.exports = { firstDifference };
