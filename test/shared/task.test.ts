import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../src/shared/errors.js';
import { buildFfconcat, ffconcatQuote, validateMetadata } from '../../src/shared/task.js';
import { sampleMetadata } from '../fixtures.js';

test('valid metadata passes', () => {
  assert.deepEqual(validateMetadata(sampleMetadata()), sampleMetadata());
  assert.ok(validateMetadata(sampleMetadata({ music_file: null, music_source: null, music_duration: null })));
});

test('invalid metadata is refused naming the field', () => {
  const bad: [unknown, RegExp][] = [
    [{ ...sampleMetadata(), voice_duration: -1 }, /voice_duration must be a number >= 0\.001/],
    [{ ...sampleMetadata(), task_id: 'x' }, /task_id must be a UUID/],
    [{ ...sampleMetadata(), schema_version: 99 }, /schema_version must be 1/],
    [{ ...sampleMetadata(), video_files: [] }, /video_files must be a non-empty list/],
    [{ ...sampleMetadata(), voice_file: '../../etc/passwd' }, /voice_file must be a file name inside the task folder/],
    [{ ...sampleMetadata(), render: { ...sampleMetadata().render, fit: 'zoom' } }, /render\.fit must be "pad" or "crop"/],
    ['[]', /must be an object/],
  ];
  for (const [value, re] of bad) {
    assert.throws(() => validateMetadata(value), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && re.test((err as Error).message));
  }
});

test('ffconcat paths are quoted; quotes escaped; line breaks refused', () => {
  assert.equal(ffconcatQuote('../../a b.mp4'), "'../../a b.mp4'");
  assert.equal(ffconcatQuote("it's.mp4"), "'it'\\''s.mp4'");
  assert.equal(ffconcatQuote('back\\slash "dq" ✓.mp4'), "'back\\slash \"dq\" ✓.mp4'");
  assert.throws(() => ffconcatQuote('a\nb.mp4'), /line break/);
  assert.equal(buildFfconcat(['a.mp4', "b'.mp4"]), "ffconcat version 1.0\nfile 'a.mp4'\nfile 'b'\\''.mp4'\n");
});
