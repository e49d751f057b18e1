// Captions layers: pages, the text layers they expand into, SRT and WebVTT, and real renders
// whose pixels show each caption while its word is spoken (Latin, Arabic, CJK).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { captionCues, captionPages, captionTextLayers, expandCaptions, SAFE_AREA, toSrt, toVtt } from '../../../src/shared/timeline/captions.js';
import { prepareRender } from '../../../src/shared/timeline/prepare.js';
import { timelineFileFields, TimelineSchema, type Timeline } from '../../../src/shared/timeline/schema.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import { writeWords, type Word } from '../../../src/shared/words.js';
import { binaries, tempDir, testConfig } from '../../helpers.js';
import { frameAt, runFfmpeg, type Frame } from './render-media.js';

const W = (word: string, start: number, end: number): Word => ({ word, start, end });
const WORDS = [W('One', 0.2, 0.5), W('small', 0.6, 0.9), W('step.', 1.0, 1.4), W('Then', 2.0, 2.2), W('another', 2.3, 2.7), W('one!', 2.8, 3.0)];
const layer = (over: Record<string, unknown> = {}) =>
  TimelineSchema.parse({ output: { width: 180, height: 320, fps: 30, duration: 4 }, video: [{ type: 'color', color: 'black', duration: 4 }], layers: [{ type: 'captions', words: 'v.mp3.words.json', ...over }] });

test('captions: pages of line and karaoke break at sentence ends and max_chars; word pages are single words', () => {
  const tl = layer({ max_chars: 12, offset: 1 });
  const l = tl.layers[0]!;
  assert.equal(l.type, 'captions');
  if (l.type !== 'captions') return;
  const pages = captionPages(l, WORDS);
  assert.deepEqual(pages.map((p) => p.text), ['One small', 'step.', 'Then another', 'one!']);
  // Offset 1: the voice starts 1 s into the video. A page lasts until the next one starts.
  assert.deepEqual(pages.map((p) => [p.start, p.end]), [[1.2, 2], [2, 3], [3, 3.8], [3.8, 4.5]]);
  assert.deepEqual(pages[2]!.words.map((w) => [w.text, w.from, w.to]), [['Then', 0, 4], ['another', 5, 12]]);
  assert.deepEqual(captionPages({ ...l, style: 'word' }, WORDS).map((p) => p.text), WORDS.map((w) => w.word));
  // CJK words join without spaces.
  assert.deepEqual(captionPages({ ...l, max_chars: 10 }, [W('你好', 0, 0.4), W('世界', 0.5, 0.9), W('!', 1, 1.1)]).map((p) => p.text), ['你好世界 !']);
});

test('captions: expanded into text layers inside the 9:16 safe area; karaoke marks the spoken word; the words file is a timeline file', () => {
  const tl = layer({ style: 'karaoke', position: 'bottom', end: 3 });
  assert.deepEqual([...timelineFileFields(tl).entries()], [['v.mp3.words.json', 'layers[0].words']]);
  const l = tl.layers[0]!;
  if (l.type !== 'captions') return;
  const texts = captionTextLayers(l, WORDS, tl.output);
  assert.deepEqual(texts.map((x) => [x.text, x.start, x.end, x.highlight?.from, x.highlight?.to]), [
    ['One small step.', 0.2, 0.6, 0, 3],
    ['One small step.', 0.6, 1.0, 4, 9],
    ['One small step.', 1.0, 2.0, 10, 15],
    ['Then another one!', 2.0, 2.3, 0, 4],
    ['Then another one!', 2.3, 2.8, 5, 12],
    ['Then another one!', 2.8, 3, 13, 17], // cut at the layer's end
  ]);
  for (const x of texts) {
    assert.equal(x.position, 'bottom');
    assert.equal(x.margin, SAFE_AREA.bottom * 320);
    assert.equal(x.wrap_width, 180 * (1 - 2 * SAFE_AREA.side));
    assert.equal(x.highlight?.color, '#ffd700');
  }
  const expanded = expandCaptions(tl, new Map([['v.mp3.words.json', WORDS]]));
  assert.equal(expanded.layers.length, 6);
  assert.ok(expanded.layers.every((x) => x.type === 'text'));
  assert.throws(() => expandCaptions(tl, new Map()), /were not read/);
});

test('captions: SRT and WebVTT cues are the lines, in output seconds (effects.speed applied)', () => {
  const tl = TimelineSchema.parse({ ...layer({ style: 'word', max_chars: 12 }), effects: { speed: 2 } });
  const cues = captionCues(tl, new Map([['v.mp3.words.json', [...WORDS, W('<b>&', 3.2, 3.4)]]]));
  assert.equal(cues.length, 5);
  assert.equal(toSrt(cues).split('\n\n')[0], '1\n00:00:00,100 --> 00:00:00,500\nOne small');
  const vtt = toVtt(cues);
  assert.ok(vtt.startsWith('WEBVTT\n\n00:00:00.100 --> 00:00:00.500\nOne small\n'));
  assert.match(vtt, /\none!\n\n00:00:01.600 --> 00:00:01.950\n&lt;b&gt;&amp;\n$/);
});

/** The mean brightness of a region of a frame. */
function brightness(f: Frame, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) (sum += f.at(x, y).reduce((a, b) => a + b, 0) / 3), n++;
  return sum / n;
}
/** Pixels of a region that are yellow (the karaoke highlight): red and green high, blue low. */
function yellowPixels(f: Frame, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const [r, g, b] = f.at(x, y);
    if (r > 150 && g > 120 && b < 90) n++;
  }
  return n;
}

async function renderCaptions(t: { after(fn: () => unknown): void }, words: Word[], over: Record<string, unknown>): Promise<{ file: string; tl: Timeline }> {
  const dir = await tempDir(t);
  await writeWords(join(dir, 'voice.mp3.words.json'), { source: 'transcript', words });
  const tl = TimelineSchema.parse({
    output: { width: 180, height: 320, fps: 30, duration: 3 },
    video: [{ type: 'color', color: 'black', duration: 3 }],
    layers: [{ type: 'captions', words: 'voice.mp3.words.json', size: 28, stroke: { width: 0 }, ...over }],
  });
  const { ffprobe } = await binaries();
  const output = join(dir, 'out.mp4');
  const paths = new Map([['voice.mp3.words.json', join(dir, 'voice.mp3.words.json')]]);
  const compiled = await prepareRender(tl, { paths, workDir: join(dir, 'work'), output, encoder: encoderSpec('libx264', testConfig()), ffprobe: ffprobe.path, audioBitrate: '96k', fontsDirs: [], progress: false });
  assert.equal(compiled.argv.filter((a) => a === '-filter_complex').length, 1, 'one pass');
  await runFfmpeg(compiled.argv);
  return { file: output, tl };
}

// The caption box: the safe area's bottom band (captions sit at its bottom edge).
const BOX = [10, 200, 170, 256] as const;

test('captions render: each word drawn while it is spoken, nothing before the first (style word)', async (t) => {
  const words = [W('Hello', 0.5, 0.9), W('there', 1.3, 1.7), W('friend', 2.1, 2.5)];
  const { file } = await renderCaptions(t, words, { style: 'word' });
  const at = (s: number) => frameAt(file, s, 180, 320);
  const [before, w1, w2, w3] = await Promise.all([at(0.25), at(0.7), at(1.5), at(2.3)]);
  assert.ok(brightness(before, ...BOX) < 2, 'nothing drawn before the first word');
  for (const [f, name] of [[w1, 'Hello'], [w2, 'there'], [w3, 'friend']] as const) assert.ok(brightness(f, ...BOX) > 8, `${name} is drawn while it is spoken`);
  assert.ok(brightness(before, 0, 0, 180, 190) < 2 && brightness(w1, 0, 0, 180, 190) < 2, 'above the safe area\'s bottom band: nothing');
  // Different words, different pixels.
  let diff = 0;
  for (let y = BOX[1]; y < BOX[3]; y++) for (let x = BOX[0]; x < BOX[2]; x++) diff += Math.abs(w1.at(x, y)[0] - w2.at(x, y)[0]);
  assert.ok(diff / ((BOX[2] - BOX[0]) * (BOX[3] - BOX[1])) > 3, 'the caption changes with the word');
});

test('captions render: karaoke highlights the spoken word, left then right', async (t) => {
  const words = [W('AAA', 0.5, 1.0), W('BBB', 1.5, 2.0)];
  const { file } = await renderCaptions(t, words, { style: 'karaoke', size: 26 });
  const [first, second] = await Promise.all([frameAt(file, 0.75, 180, 320), frameAt(file, 1.75, 180, 320)]);
  const [y0, y1] = [BOX[1], BOX[3]];
  assert.ok(yellowPixels(first, 0, y0, 90, y1) > 20 && yellowPixels(first, 90, y0, 180, y1) === 0, 'the first word is lit while it is spoken');
  assert.ok(yellowPixels(second, 90, y0, 180, y1) > 20 && yellowPixels(second, 0, y0, 90, y1) === 0, 'then the second');
  assert.ok(brightness(second, 0, y0, 90, y1) > 8, 'the first word stays on the page, unlit');
});

test('captions render: Arabic and CJK words are shaped and drawn; a broken words file names the file', async (t) => {
  const { file } = await renderCaptions(t, [W('مرحبا', 0.3, 1.0), W('بالعالم', 1.0, 1.4), W('你好世界', 1.6, 2.4)], { style: 'word' });
  const [ar, cjk] = await Promise.all([frameAt(file, 0.6, 180, 320), frameAt(file, 2.0, 180, 320)]);
  assert.ok(brightness(ar, ...BOX) > 5 && brightness(cjk, ...BOX) > 5);
  const dir = await tempDir(t);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'bad.json'), '{"source": "espeak-ng", "words": [{"word": "x", "start": 0}]}');
  const tl = TimelineSchema.parse({ output: { width: 180, height: 320, fps: 30, duration: 1 }, video: [{ type: 'color', color: 'black', duration: 1 }], layers: [{ type: 'captions', words: 'bad.json' }] });
  const { ffprobe } = await binaries();
  await assert.rejects(
    prepareRender(tl, { paths: new Map([['bad.json', join(dir, 'bad.json')]]), workDir: join(dir, 'w'), output: join(dir, 'o.mp4'), encoder: encoderSpec('libx264', testConfig()), ffprobe: ffprobe.path, audioBitrate: '96k', fontsDirs: [], progress: false }),
    (e: ClipmillError) => e.code === 'WORDS_INVALID' && /bad\.json/.test(e.message) && /words\[0\]\.end/.test(e.message),
  );
});
