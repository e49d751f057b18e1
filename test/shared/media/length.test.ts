import assert from 'node:assert/strict';
import { stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { AUDIO_LENGTH_TOLERANCE, checkLength, measuredSeconds } from '../../../src/shared/media/length.js';
import { FIXTURES } from '../../media.js';
import { binaries, tempDir } from '../../helpers.js';

test('measuredSeconds reads a file through: audio decoded, video packet by packet; a truncated file measures short', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg } = await binaries();
  await FIXTURES.voice(join(dir, 'v.mp3'), 3);
  assert.ok(Math.abs((await measuredSeconds(ffmpeg.path, join(dir, 'v.mp3'), 'audio')) - 3) < AUDIO_LENGTH_TOLERANCE);
  await FIXTURES.clip(join(dir, 'c.mp4'), 2);
  assert.ok(Math.abs((await measuredSeconds(ffmpeg.path, join(dir, 'c.mp4'), 'video')) - 2) < 0.1);
  await truncate(join(dir, 'v.mp3'), Math.floor((await stat(join(dir, 'v.mp3'))).size / 2));
  assert.ok((await measuredSeconds(ffmpeg.path, join(dir, 'v.mp3'), 'audio')) < 2);
  await assert.rejects(measuredSeconds(ffmpeg.path, join(dir, 'c.mp4'), 'audio'), (e: unknown) => isClipmillError(e, 'CONVERT_FAILED'), 'no audio stream to read');
});

test('checkLength: within the tolerance passes; outside is OUTPUT_INCOMPLETE (recoverable)', () => {
  checkLength('x', 10.05, 10, 0.1);
  assert.throws(() => checkLength('the converted a.mp3', 5.8, 8, 0.1), (e: unknown) => isClipmillError(e, 'OUTPUT_INCOMPLETE') && e.errorClass === 'recoverable' && /holds 5\.800 s, expected 8\.000 s/.test(e.message));
});
