// From text to a captioned video: espeak-ng voices a text with its word timings, a timeline
// plays the voice under captions timed by them, and each word's caption is on screen while the
// word is heard (pixels of the caption box against a frame before the voice starts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { NarrationCache } from '../../../src/main-worker/narrate/cache.js';
import { EspeakProvider } from '../../../src/main-worker/narrate/espeak-ng.js';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { prepareRender } from '../../../src/shared/timeline/prepare.js';
import { TimelineSchema } from '../../../src/shared/timeline/schema.js';
import { wordsPath } from '../../../src/shared/words.js';
import { binaries, tempDir, testConfig } from '../../helpers.js';
import { frameAt, meanDifference, runFfmpeg } from '../../shared/timeline/render-media.js';

test('a voiced text renders with each word captioned while it is spoken', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg, ffprobe } = await binaries();
  const cache = new NarrationCache(join(dir, 'scanned', 'cache', 'narration'));
  const voiced = await cache.voice(new EspeakProvider({ voice: 'en', rate: 160, pitch: 50, wordGap: 20 }, { ffmpeg: ffmpeg.path }), 'Quick brown foxes jump.');
  const words = voiced.words.words;
  assert.equal(words.length, 4);
  const offset = 0.5;
  const duration = Math.ceil((words[3]!.end + offset + 0.3) * 10) / 10;
  const tl = TimelineSchema.parse({
    output: { width: 180, height: 320, fps: 30, duration },
    video: [{ type: 'color', color: 'black', duration }],
    layers: [{ type: 'captions', words: 'voice.words.json', offset, style: 'word', size: 30 }],
    audio: [{ file: 'voice.mp3', start: offset }],
  });
  const paths = new Map([['voice.mp3', voiced.audio], ['voice.words.json', wordsPath(voiced.audio)]]);
  const output = join(dir, 'out.mp4');
  const compiled = await prepareRender(tl, { paths, workDir: join(dir, 'work'), output, encoder: encoderSpec('libx264', testConfig()), ffprobe: ffprobe.path, audioBitrate: '96k', fontsDirs: [], progress: false });
  await runFfmpeg(compiled.argv);
  const crop = async (s: number) => {
    const f = await frameAt(output, s, 180, 320);
    // The caption band: the bottom of the safe area (its lowest 20% is left free).
    return { ...f, data: f.data.subarray(180 * 3 * 180, 180 * 3 * 256) };
  };
  const before = await crop(0.2);
  let previous = before;
  for (const w of words) {
    const during = await crop(offset + (w.start + w.end) / 2);
    assert.ok(meanDifference(during, before) > 2, `"${w.word}" is captioned while it is spoken`);
    assert.ok(meanDifference(during, previous) > 1, `"${w.word}" replaces the word before it`);
    previous = during;
  }
});
