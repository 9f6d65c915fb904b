'use strict';
// Rounds of variants on a shared machine: each round runs every variant once, starting one further along
// the list than the round before, so slow drift (another process's load) falls on all of them alike, and
// every figure can be a ratio to a baseline measured in the same round.

/** { [variant.key]: sample[] } where sample = await measure(variant, round). */
async function rotatingRounds(variants, reps, measure) {
  const samples = Object.fromEntries(variants.map((v) => [v.key, []]));
  for (let round = 0; round < reps; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length];
      samples[variant.key].push(await measure(variant, round));
    }
  }
  return samples;
}

module.exports = { rotatingRounds };
