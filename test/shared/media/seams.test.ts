// parseSeams (pure): frames, gaps and duplicates at seams, keyframes, the audio's exact samples.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSeams } from '../../../src/shared/media/seams.js';

const probe = (videoPts: number[], audio?: { pts: number[]; durationTs: number }, keys: number[] = [0]) =>
  JSON.stringify({
    streams: [{ index: 0, codec_type: 'video', time_base: '1/15360' }, ...(audio ? [{ index: 1, codec_type: 'audio', time_base: '1/48000', sample_rate: '48000', duration_ts: audio.durationTs }] : [])],
    packets: [
      // Decoding order: B-frames make presentation order differ.
      ...videoPts.map((pts, i) => ({ stream_index: 0, pts, flags: keys.includes(i) ? 'K_' : '__' })).reverse(),
      ...(audio?.pts ?? []).map((pts) => ({ stream_index: 1, pts, duration: 1024 })),
    ],
  });

test('a joined stream one frame apart everywhere: no gap; keyframes by presentation index; audio samples from the edit list', () => {
  const r = parseSeams(probe([0, 512, 1024, 1536, 2048, 2560], { pts: [-1024, 0, 1024, 2048], durationTs: 3000 }, [0, 3]));
  assert.equal(r.video.frames, 6);
  assert.equal(r.video.frameTicks, 512);
  assert.deepEqual(r.video.gaps, []);
  assert.deepEqual(r.video.keyframesAt, [0, 3], 'indices in presentation order (the packets came in another)');
  assert.deepEqual(r.audio, { samples: 3000, sampleRate: 48000, gaps: [] });
});

test('a gap and a duplicate at seams are reported where they are; an audio packet missing too', () => {
  const r = parseSeams(probe([0, 512, 1024, 2048, 2048, 2560, 3072], { pts: [0, 1024, 3072], durationTs: 4096 }));
  assert.deepEqual(r.video.gaps, [
    { index: 3, delta: 1024, expected: 512 },
    { index: 4, delta: 0, expected: 512 },
  ]);
  assert.deepEqual(r.audio!.gaps, [{ index: 2, delta: 2048, expected: 1024 }]);
});

test('an audio-only file: no video frames, the audio counted', () => {
  const r = parseSeams(JSON.stringify({ streams: [{ index: 0, codec_type: 'audio', time_base: '1/48000', sample_rate: '48000', duration_ts: 96000 }], packets: [] }));
  assert.equal(r.video.frames, 0);
  assert.equal(r.audio!.samples, 96000);
});
