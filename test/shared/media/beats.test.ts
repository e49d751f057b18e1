// Beat analysis on samples (src/shared/media/beats.ts): silence and a drone have no usable
// beats; clicks placed on exact samples are found within 2 ms with their tempo; the same samples
// give the same beats. Click tracks made by ffmpeg and decoded as ingest does are in
// test/main-worker/ingest/beats.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectBeats, unusableReason } from '../../../src/shared/media/beats.js';

test('silence and a drone: no onsets, not usable, with the reason', () => {
  const silence = detectBeats(new Int16Array(22050 * 5));
  assert.deepEqual([silence.onsets, silence.usable, silence.tempo], [[], false, null]);
  assert.match(silence.reason!, /0 onset/);
  const drone = new Int16Array(22050 * 5);
  for (let i = 0; i < drone.length; i++) drone[i] = Math.round(12000 * Math.sin((2 * Math.PI * 110 * i) / 22050) + 6000 * Math.sin((2 * Math.PI * 165 * i) / 22050));
  const d = detectBeats(drone);
  assert.equal(d.usable, false);
  assert.ok(d.onsets.length < 4, `a drone has ${d.onsets.length} onsets`);
});

test('synthetic clicks on the exact samples: onsets within 2 ms, a tempo', () => {
  const s = new Int16Array(22050 * 6);
  const clicks = Array.from({ length: 10 }, (_, k) => 0.61 + k * 0.5);
  for (const c of clicks) for (let i = 0; i < 110; i++) s[Math.round(c * 22050) + i] = Math.round(20000 * Math.sin((2 * Math.PI * 1000 * i) / 22050));
  const b = detectBeats(s);
  assert.equal(b.onsets.length, clicks.length);
  b.onsets.forEach((o, i) => assert.ok(Math.abs(o - clicks[i]!) <= 0.002, `onset ${o} for ${clicks[i]}`));
  assert.ok(b.tempo !== null && Math.abs(b.tempo - 120) <= 1, `tempo ${b.tempo}`);
  assert.equal(b.usable, true);
});

test('the analysis is deterministic: the same samples give the same beats', () => {
  const s = new Int16Array(22050 * 3);
  for (let k = 0; k < 6; k++) for (let i = 0; i < 100; i++) s[Math.round((0.3 + k * 0.45) * 22050) + i] = Math.round(20000 * Math.sin(i));
  assert.deepEqual(detectBeats(s), detectBeats(s));
  assert.equal(detectBeats(s).onsets.length, 6);
});

test('white noise: dense onsets and a spurious tempo, but its gaps fall anywhere: not usable', () => {
  let seed = 1;
  const s = new Int16Array(22050 * 10);
  for (let i = 0; i < s.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    s[i] = Math.round((seed / 2147483648 - 0.5) * 16000);
  }
  const b = detectBeats(s);
  assert.ok(b.onsets.length > 20, `${b.onsets.length} onsets in noise`);
  assert.equal(b.usable, false);
  assert.match(b.reason!, /of the gaps between onsets fall on the half beats/);
});

test('a sparse track: 8 clicks at 120 bpm, then 50 s of silence: too few onsets a minute; the rule on its own: density, median gap, the half-beat grid', () => {
  const s = new Int16Array(22050 * 54);
  for (let k = 0; k < 8; k++) for (let i = 0; i < 110; i++) s[Math.round((0.5 + k * 0.5) * 22050) + i] = Math.round(20000 * Math.sin((2 * Math.PI * 1000 * i) / 22050));
  const b = detectBeats(s);
  assert.equal(b.onsets.length, 8);
  assert.equal(b.usable, false);
  assert.match(b.reason!, /too sparse/);
  const even = (n: number, gap: number) => Array.from({ length: n }, (_, k) => k * gap);
  assert.equal(unusableReason(even(40, 0.5), 120, 20), undefined);
  // Eighths and quarters mixed: on the half-beat grid.
  assert.equal(unusableReason([0, 0.25, 0.5, 1, 1.25, 1.5, 2, 2.5, 2.75, 3, 3.5, 4, 4.25, 4.5, 5], 120, 5), undefined);
  assert.match(unusableReason(even(3, 0.5), 120, 20)!, /3 onset\(s\) found/);
  assert.match(unusableReason(even(10, 0.5), null, 5)!, /no tempo/);
  // 30 a minute, but in a burst: the median gap is small, the density over the span is what fails.
  assert.match(unusableReason(even(10, 0.5), 120, 60)!, /10 onset\(s\) in 60 s: 10 a minute/);
  // Dense enough over the span, but most gaps long.
  assert.match(unusableReason([0, 0.5, 3, 5.5, 8, 10.5, 13, 15.5], 120, 20)!, /median gap between onsets is 2\.5 s/);
  assert.match(unusableReason([0, 0.13, 0.41, 0.6, 0.97, 1.1, 1.38, 1.7, 1.83, 2.2, 2.37], 120, 3)!, /fall on the half beats of 120 bpm/);
});
