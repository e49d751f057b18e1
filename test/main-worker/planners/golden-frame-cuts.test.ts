// The cuts of a golden-frame video: onsets nearest the ideal length, gaps in the onsets filled
// with the fewest fixed cuts, fixed lengths kept within shot_seconds, property tests over random
// ranges and onset sets (seeded), the loop period of a looped track.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCuts, playedOnsets } from '../../../src/main-worker/planners/golden-frame-cuts.js';
import type { Beats } from '../../../src/shared/media/beats.js';
import { createRng } from '../../../src/shared/rng.js';

test('planCuts: onsets nearest the ideal length; a gap in the onsets filled with the fewest fixed cuts (counted); no onsets: even fixed lengths', () => {
  assert.deepEqual(planCuts(10, 2.5, { min: 1.5, max: 4 }, 10, [0.9, 2.4, 2.9, 5.1, 7.6, 9.9]), { cuts: [2.4, 5.1, 7.6], fixed: 0, fits: true });
  // 7.6 s after the only onset need one cut more, off the beat, as near the ideal as the last shot allows.
  assert.deepEqual(planCuts(10, 2.5, { min: 1.5, max: 4 }, 10, [2.4]), { cuts: [2.4, 6.2], fixed: 1, fits: true });
  assert.deepEqual(planCuts(10, 2.5, { min: 1.5, max: 4 }, 10, null), { cuts: [2.5, 5, 7.5], fixed: 0, fits: true });
  assert.deepEqual(planCuts(3, 3, { min: 1.5, max: 4 }, 30, [1]), { cuts: [], fixed: 0, fits: true });
  // No cut leaves a last shot shorter than min.
  const { cuts } = planCuts(7, 2, { min: 1.5, max: 2.5 }, 30, [2, 4, 6.2]);
  assert.ok(7 - cuts[cuts.length - 1]! >= 1.5, cuts.join());
});

const shotsOf = (seconds: number, cuts: number[]) => [0, ...cuts, seconds].slice(1).map((e, i, a) => e - (i ? a[i - 1]! : 0));

test('fixed lengths (no onsets): whenever some count of shots fits min..max, every shot lies within it to less than one frame (snapped cuts); the 7 s / 5 photos and 45 s defaults', () => {
  // The defaults (1.5..4 s): 7 s of 5 photos is 4 shots of 1.75 s, not 5 of 1.4; 45 s is 12 shots of 3.75 s, not 11 of 4.09.
  assert.deepEqual(shotsOf(7, planCuts(7, 1.5, { min: 1.5, max: 4 }, 30, null).cuts).map((l) => Math.round(l * 100) / 100), [1.77, 1.73, 1.77, 1.73]);
  assert.ok(shotsOf(45, planCuts(45, 4, { min: 1.5, max: 4 }, 30, null).cuts).every((l) => l <= 4));
  // No count fits: 5 s of shots 2.6..2.8 s (one is too long, two too short).
  assert.equal(planCuts(5, 2.7, { min: 2.6, max: 2.8 }, 30, null).fits, false);
  const r = createRng(17);
  let checked = 0;
  for (let k = 0; k < 3000; k++) {
    const fps = [10, 24, 25, 30, 60][Math.floor(r() * 5)]!;
    const min = 0.2 + r() * 5;
    const max = min + r() * r() * 6;
    const seconds = Math.max(min, 1 + r() * 120);
    const ideal = Math.min(max, Math.max(min, seconds / (1 + Math.floor(r() * 40))));
    const { cuts, fits } = planCuts(seconds, ideal, { min, max }, fps, null);
    const fit = Math.ceil(seconds / max - 1e-9) <= Math.floor(seconds / min + 1e-9);
    assert.equal(fits, fit, `${seconds} s, ${min}..${max}`);
    if (!fit) continue;
    checked++;
    for (const c of cuts) assert.ok(Math.abs(c * fps - Math.round(c * fps)) < 1e-6, `cut ${c} on the ${fps} fps grid`);
    for (const l of shotsOf(seconds, cuts)) assert.ok(l > min - 1 / fps && l < max + 1 / fps, `${seconds} s at ${fps} fps, ${min}..${max}: a shot of ${l} s`);
  }
  assert.ok(checked > 1000, `${checked} cases checked`);
});

test('onsets with gaps (random sets): whenever some split fits min..max, the DP finds one, every shot within min..max to half a frame; cuts on onsets except the counted fixed ones', () => {
  const r = createRng(99);
  let withFixed = 0;
  for (let k = 0; k < 400; k++) {
    const fps = [24, 25, 30][Math.floor(r() * 3)]!;
    const min = 0.5 + r() * 3;
    const max = min + 0.1 + r() * 4;
    const seconds = Math.max(min, 2 + r() * 60);
    const ideal = Math.min(max, Math.max(min, seconds / (1 + Math.floor(r() * 12))));
    // Clusters of onsets with gaps of up to 3x max between them.
    const onsets: number[] = [];
    for (let t = r() * max; t < seconds + 5; ) {
      onsets.push(Math.round(t * 1000) / 1000);
      t += r() < 0.2 ? r() * 3 * max : 0.05 + r() * 0.6;
    }
    const { cuts, fixed, fits } = planCuts(seconds, ideal, { min, max }, fps, onsets);
    if (Math.ceil(seconds / max - 1e-9) > Math.floor(seconds / min + 1e-9)) continue;
    assert.ok(fits, `${seconds} s, ${min}..${max}`);
    const snapped = new Set(onsets.map((o) => Math.round(o * fps)));
    assert.equal(cuts.filter((c) => !snapped.has(Math.round(c * fps))).length, fixed, 'fixed counts the cuts off an onset');
    if (fixed) withFixed++;
    for (const l of shotsOf(seconds, cuts)) assert.ok(l >= min - 0.5 / fps - 1e-9 && l <= max + 0.5 / fps + 1e-9, `${seconds} s at ${fps} fps, ${min}..${max}: a shot of ${l} s (cuts ${cuts.join()})`);
  }
  assert.ok(withFixed > 20, `${withFixed} cases needed fixed cuts`);
});

test('a looped track: the loop period is the decoded length (analysed_seconds), not the rounded file-name duration; a track analysed in part is not beat-synced past its first play', () => {
  const beats: Beats = { schema_version: 1, analysed_seconds: 4.987, tempo: 120, onsets: [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5], usable: true };
  const { onsets, until } = playedOnsets(beats, 30);
  assert.equal(until, 30);
  // The 6th play starts at 5 x 4.987 s, not 5 x 4.9 (the name's duration floored).
  assert.ok(onsets.some((o) => Math.abs(o - (5 * 4.987 + 0.5)) < 1e-9));
  const part: Beats = { ...beats, analysed_seconds: 600 };
  assert.equal(playedOnsets(part, 30).until, 30);
});
