import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../src/shared/errors.js';
import { buildFfconcat, ffconcatQuote, parseMetadata, validateMetadata } from '../../src/shared/task.js';
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

test('metadata.json: unknown keys, missing sources, clip points and local names are refused naming the field and value', () => {
  const s = sampleMetadata();
  const bad: [unknown, RegExp][] = [
    [{ ...s, colour: 'red' }, /metadata\.json: unknown key "colour"/],
    [{ ...s, render: { ...s.render, crf: 20 } }, /unknown key "render\.crf"/],
    [{ ...s, music_source: null }, /music_source must be a non-empty string \(music_file is set\), got null/],
    [{ ...s, frame_file: 'frame.mp4' }, /frame_source must be a non-empty string \(frame_file is set\), got nothing/],
    [{ ...s, video_files: [{ ...s.video_files[0]!, out: 131 }] }, /video_files\[0\]\.out must be a number above in \(0\) and at most duration \(130\), got 131/],
    [{ ...s, video_files: [{ ...s.video_files[0]!, duration: '130' }] }, /video_files\[0\]\.duration must be a number >= 0\.001, got "130"/],
    [{ ...s, music_file: 'a\\b.mp3' }, /music_file must be a file name inside the task folder, got "a\\\\b\.mp3"/],
    [{ ...s, render: { ...s.render, logo: '.hidden.png' } }, /render\.logo must be a file name inside the task folder, got "\.hidden\.png"/],
    [{ ...s, attempts: 1.5 }, /attempts must be an integer >= 0, got 1\.5/],
    [{ ...s, render: { ...s.render, output_format: 'mkv' } }, /render\.output_format must be "mp4", got "mkv"/],
    [{ ...s, voice_file: undefined }, /voice_file must be a non-empty string, got nothing/],
  ];
  for (const [value, re] of bad) {
    assert.throws(() => validateMetadata(value), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && re.test((err as Error).message), `expected ${re}`);
  }
  assert.equal((() => {
    try {
      validateMetadata({ ...s, seed: -1 });
    } catch (err) {
      return (err as { details: { field: string } }).details.field;
    }
  })(), 'seed');
  // No frame: null or absent.
  assert.ok(validateMetadata({ ...s, frame_file: null, frame_source: null }));
  assert.ok(validateMetadata({ ...s, frame_file: 'frame.mp4', frame_source: 'scanned/frame/c/mp4_w1920_h1080/5.0_x.mp4' }));
});

test('parseMetadata: text that is not JSON is TASK_INVALID', () => {
  assert.throws(() => parseMetadata('{ "schema_version": '), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && /metadata\.json is not valid JSON/.test((err as Error).message));
  assert.deepEqual(parseMetadata(JSON.stringify(sampleMetadata())), sampleMetadata());
});
