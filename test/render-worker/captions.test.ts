import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeCaptionFiles } from '../../src/render-worker/captions.js';
import { TimelineSchema } from '../../src/shared/timeline/schema.js';
import { writeWords } from '../../src/shared/words.js';
import { tempDir, visible } from '../helpers.js';

test('captions.srt and captions.vtt are written beside final.mp4 only for a timeline with captions', async (t) => {
  const dir = await tempDir(t);
  const words = join(dir, 'in-0001.json');
  await writeWords(words, { source: 'espeak-ng', words: [{ word: 'Hello', start: 0.1, end: 0.4 }, { word: 'world.', start: 0.5, end: 0.9 }, { word: 'Again', start: 3, end: 3.3 }] });
  const base = { output: { width: 180, height: 320, fps: 30, duration: 5 }, video: [{ type: 'color', color: 'black', duration: 5 }] };
  const plain = TimelineSchema.parse(base);
  assert.equal(await writeCaptionFiles(plain, new Map(), dir), false);
  assert.deepEqual(await visible(dir), ['in-0001.json']);
  const tl = TimelineSchema.parse({ ...base, layers: [{ type: 'captions', words: 'scanned/x/v.mp3.words.json', offset: 1, style: 'word' }] });
  assert.equal(await writeCaptionFiles(tl, new Map([['scanned/x/v.mp3.words.json', words]]), dir), true);
  assert.equal(await readFile(join(dir, 'captions.srt'), 'utf8'), '1\n00:00:01,100 --> 00:00:02,400\nHello world.\n\n2\n00:00:04,000 --> 00:00:04,800\nAgain\n');
  assert.equal(await readFile(join(dir, 'captions.vtt'), 'utf8'), 'WEBVTT\n\n00:00:01.100 --> 00:00:02.400\nHello world.\n\n00:00:04.000 --> 00:00:04.800\nAgain\n');
});
