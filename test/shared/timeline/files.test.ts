// The files of a timeline, once each, in order, with the first field naming each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timelineFileFields, timelineFiles } from '../../../src/shared/timeline/files.js';
import { TimelineSchema } from '../../../src/shared/timeline/schema.js';

test('timelineFiles and timelineFileFields: every file once, the first field that names it', () => {
  const t = TimelineSchema.parse({
    output: { width: 160, height: 90, fps: 30, duration: 2 },
    video: [{ type: 'clip', file: 'a.mp4', out: 1 }, { type: 'still', file: 'a.mp4', duration: 1 }],
    layers: [{ type: 'captions', words: 'v.mp3.words.json' }],
    audio: [{ file: 'v.mp3' }, { file: 'm.mp3', duck: { db: 18, spans: [{ start: 0, end: 1 }] } }],
  });
  assert.deepEqual(timelineFiles(t), ['a.mp4', 'v.mp3.words.json', 'v.mp3', 'm.mp3']);
  assert.deepEqual([...timelineFileFields(t, 'timeline.')], [['a.mp4', 'timeline.video[0].file'], ['v.mp3.words.json', 'timeline.layers[0].words'], ['v.mp3', 'timeline.audio[0].file'], ['m.mp3', 'timeline.audio[1].file']]);
});
