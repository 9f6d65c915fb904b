'use strict';
// Medians and ranges of repeated measurements: the bench reports a median with its min–max, never a mean
// (one run disturbed by another process on a shared 2-core machine must not move the figure).

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** { median, min, max, n, samples } of a list of numbers. */
function summarize(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length, samples: values };
}

/** summarize() of a[i] / b[i]: ratios of measurements paired by round (both taken in the same round). */
function pairedRatios(a, b) {
  return summarize(a.map((x, i) => x / b[i]));
}

module.exports = { median, summarize, pairedRatios };
