import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinPcm, largestStep, parseSilences } from '../../../src/main-worker/narrate/pcm.js';

test('pcm: joined pieces meet at zero, with their offsets', () => {
  const loud = (n: number, v: number) => ({ rate: 1000, samples: new Int16Array(n).fill(v) });
  const { pcm, offsets } = joinPcm([loud(100, 30000), loud(50, -30000), loud(100, 30000)]);
  assert.deepEqual(offsets, [0, 0.1, 0.15]);
  assert.equal(pcm.samples.length, 250);
  // A raw join would step 60000; the ramps (5 samples at 1 kHz) keep every step at 6000.
  assert.ok(largestStep(pcm.samples) <= 6000, String(largestStep(pcm.samples)));
  assert.equal(pcm.samples[0], 30000, 'the first piece does not fade in');
  assert.equal(pcm.samples[249], 30000, 'the last one does not fade out');
});

test('pcm: silencedetect output becomes the stretches of sound between pauses', () => {
  const log = [
    'Duration: 00:00:03.00, start: 0.000000, bitrate: 64 kb/s',
    '[silencedetect @ 0x1] silence_start: -0.01',
    '[silencedetect @ 0x1] silence_end: 0.5 | silence_duration: 0.5',
    '[silencedetect @ 0x1] silence_start: 1.2',
    '[silencedetect @ 0x1] silence_end: 1.6 | silence_duration: 0.4',
    '[silencedetect @ 0x1] silence_start: 2.7',
    'size=N/A time=00:00:03.00 bitrate=N/A speed= 300x',
  ].join('\n');
  assert.deepEqual(parseSilences(log), { spans: [{ start: 0.5, end: 1.2 }, { start: 1.6, end: 2.7 }], duration: 3 });
});
