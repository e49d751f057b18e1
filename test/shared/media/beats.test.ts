// Beat analysis on samples (src/shared/media/beats.ts): silence and a drone have no usable
// beats; clicks placed on exact samples are found within 2 ms with their tempo; the same samples
// give the same beats. Click tracks made by ffmpeg and decoded as ingest does are in
// test/main-worker/ingest/beats.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectBeats } from '../../../src/shared/media/beats.js';

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
