// The short scene planner, pure: keywords, beats at sentence and clause boundaries, the quality
// check (every beat whose words name a tag shows an asset with that tag), no asset twice while
// others match, the timeline (stills with Ken Burns, blur-fill footage, transitions, captions,
// ducked music), and the same plan for the same seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/shared/rng.js';
import { validateJobFile } from '../../../src/shared/job.js';
import type { Word } from '../../../src/shared/words.js';
import { BEAT, planBeats, planShort, shortEnd, speechSpans, type ShortRules } from '../../../src/main-worker/planners/short.js';
import { keywords, stem } from '../../../src/main-worker/planners/short-keywords.js';
import { fixtureCatalog, fixturePath, type FixtureAsset } from '../../job-fixtures.js';

/** Words of sentences: each word 0.3 s with 0.05 s between, 0.6 s between sentences. */
function speak(text: string, start = 0): Word[] {
  const out: Word[] = [];
  let t = start;
  for (const sentence of text.split(/(?<=[.!?])\s+/)) {
    for (const w of sentence.split(/\s+/)) {
      out.push({ word: w, start: Math.round(t * 1000) / 1000, end: Math.round((t + 0.3) * 1000) / 1000 });
      t += 0.35;
    }
    t += 0.6;
  }
  return out;
}

const RULES: ShortRules = { width: 108, height: 192, fps: 30, quality: 'normal', captionStyle: 'karaoke', musicVolume: 0.3, duckDb: 18, transition: 'fade', transitionSeconds: 0.3 };

test('keywords: stop words removed, stemmed, once each', () => {
  assert.deepEqual(keywords('The cars were running by the sea at night, and the sea was calm.'), ['car', 'run', 'sea', 'night', 'calm']);
  assert.equal(stem('cities'), 'city');
  assert.equal(stem('boxes'), 'box');
  assert.equal(stem('hopped'), 'hop');
  assert.equal(stem('glass'), 'glass');
  assert.deepEqual(keywords('Ça va, café! 東京'), ['ça', 'va', 'café', '東京']);
});

test('beats: 2 to 6 s, cut at sentence ends first, clauses when a sentence runs long; every word in one beat', () => {
  const words = speak('I saw a red car today. It was parked by the old harbour near the water, under a bridge, beside a long row of shops and cafes, where people walked slowly in the evening light. Then we went home.');
  const end = words[words.length - 1]!.end + 0.5;
  const beats = planBeats(words, end);
  assert.ok(beats.length >= 3);
  assert.equal(beats[0]!.start, 0);
  assert.equal(beats[beats.length - 1]!.end, end);
  for (const [i, b] of beats.entries()) {
    assert.ok(b.end - b.start >= BEAT.min - 1e-9 && b.end - b.start <= BEAT.max + 1e-9, `beat ${i} lasts ${b.end - b.start} s`);
    if (i > 0) assert.equal(b.start, beats[i - 1]!.end);
  }
  assert.equal(beats.map((b) => b.text).join(' '), words.map((w) => w.word).join(' '));
  assert.equal(beats[0]!.text, 'I saw a red car today.', 'the first sentence is a beat of its own');
  // The long sentence is cut at its clauses.
  assert.ok(beats.slice(1, -1).some((b) => /,$/.test(b.text)), JSON.stringify(beats.map((b) => b.text)));
});

test('shortEnd: a target ends the short at the last sentence that fits', () => {
  const words = speak('One two three four five six. Seven eight nine ten eleven twelve. Thirteen fourteen.');
  assert.equal(shortEnd(words, 20), 20);
  const end = shortEnd(words, 20, 5);
  const firstEnd = words[5]!.end;
  assert.ok(end >= firstEnd && end <= 5, `${end}`);
});

const CATALOG: FixtureAsset[] = [
  { kind: 'image', category: 'city', tags: ['red car'], width: 64, height: 48, n: 1 },
  { kind: 'image', category: 'city', tags: ['car'], width: 48, height: 64, n: 2 },
  { kind: 'image', category: 'city', tags: ['sea', 'night'], n: 3 },
  { kind: 'video', category: 'nature', tags: ['forest'], seconds: 1.5, n: 4 },
  { kind: 'video', category: 'nature', tags: ['sea'], seconds: 10, n: 5 },
  { kind: 'image', category: 'city', tags: ['desk'], n: 6 },
  { kind: 'image', category: 'city', n: 7 },
  { kind: 'music', category: 'city', seconds: 30, n: 8 },
];

test('quality: every beat whose words name a tag shows an asset with that tag; no asset twice while another matches', () => {
  const catalog = fixtureCatalog(CATALOG);
  const text = 'Look at this red car. The sea at night is calm. A red car again, shining. Then a forest, green and deep. And the sea at night once more.';
  const words = speak(text);
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = planShort({ audio: 'scanned/short/city/a.wav', duration: words[words.length - 1]!.end + 0.4, wordsFile: 'scanned/short/city/a.wav.words.json', words, category: 'city' }, catalog, RULES, createRng(seed));
    assert.ok(r.ok);
    const { visuals } = r.plan;
    for (const v of visuals) {
      const named = (['red car', 'car', 'sea', 'night', 'forest', 'desk'] as const).filter((tag) => keywords(tag).every((k) => v.beat.keywords.includes(k)));
      if (named.length) assert.ok(named.some((tag) => v.asset.tags.includes(tag)), `seed ${seed}: "${v.beat.text}" shows ${v.asset.path} tagged ${v.asset.tags.join(', ')}`);
    }
    // "red car" twice: the second time the other car (its tag "car" matches too), not the same picture.
    const cars = visuals.filter((v) => v.beat.keywords.includes('red'));
    assert.equal(cars.length, 2);
    assert.notEqual(cars[0]!.asset.path, cars[1]!.asset.path);
    // "sea at night" twice: the night sea first, then the other sea.
    const seas = visuals.filter((v) => v.beat.keywords.includes('sea'));
    assert.equal(new Set(seas.map((v) => v.asset.path)).size, seas.length);
  }
});

test('the timeline: 9:16, stills with Ken Burns, wide footage blur-filled, transitions, captions, voice, music ducked under the words; same seed, same plan', () => {
  const catalog = fixtureCatalog(CATALOG);
  const words = speak('A red car in town. Then a forest, green and deep, under tall trees that move slowly. The sea at night.');
  const input = { audio: 'scanned/short/city/a.wav', duration: words[words.length - 1]!.end + 0.4, wordsFile: 'scanned/short/city/a.wav.words.json', words, category: 'city' };
  const r = planShort(input, catalog, RULES, createRng(7));
  assert.ok(r.ok);
  const tl = r.plan.timeline;
  assert.deepEqual([tl.output.width, tl.output.height], [108, 192]);
  const car = tl.video.find((s) => s.type === 'still' && s.file === fixturePath(CATALOG[0]!));
  assert.ok(car?.type === 'still' && car.ken_burns, 'a still moves (Ken Burns)');
  assert.equal(car.fit, 'blur-fill', 'a landscape still over a blurred copy of itself');
  const forest = tl.video.filter((s) => s.type === 'clip' && s.file === fixturePath(CATALOG[3]!));
  assert.ok(forest.length >= 2, 'a clip shorter than its beat is shown again');
  assert.ok(forest.every((s) => s.fit === 'blur-fill'));
  assert.ok(tl.video.slice(1).some((s) => s.transition?.type === 'fade'));
  const total = tl.video.reduce((n, s) => n + (s.type === 'clip' ? s.out - s.in : s.duration), 0);
  assert.ok(Math.abs(total - tl.output.duration) < 1e-3);
  assert.deepEqual(tl.layers.map((l) => l.type), ['captions']);
  assert.equal(tl.audio[0]!.file, input.audio);
  const music = tl.audio[1]!;
  assert.equal(music.file, fixturePath(CATALOG[7]!));
  assert.equal(music.duck?.db, 18);
  assert.deepEqual(music.duck?.spans, speechSpans(words, tl.output.duration));
  assert.equal(music.duck!.spans.length, 3, 'one span per sentence (words closer than 0.4 s run together)');
  const again = planShort(input, catalog, RULES, createRng(7));
  assert.ok(again.ok);
  assert.deepEqual(again.plan.timeline, tl);
});

test('a catalog without footage or stills: the short waits, saying so', () => {
  const r = planShort({ audio: 'a.wav', duration: 3, wordsFile: 'a.json', words: speak('Hello there.'), category: 'x' }, fixtureCatalog([]), RULES, createRng(1));
  assert.deepEqual(r, { ok: false, waiting: 'no footage (scanned/video/) or stills (scanned/image/) to show: the catalog has none' });
});

test('job files with "template": "short": validated, errors name the field', () => {
  const ok = validateJobFile({ template: 'short', audio: { category: 'cars', campaign: 'spring', part: 1 }, target_seconds: 45, style: 'word' }, 'raw/job/s.json');
  assert.equal(ok.template, 'short');
  assert.throws(() => validateJobFile({ template: 'short', audio: { category: 'cars', campaign: 'spring', part: 1 }, target_seconds: 90 }, 'raw/job/s.json'), /target_seconds: a number from 30 to 60, got 90/);
  assert.throws(() => validateJobFile({ template: 'short', audio: { id: 'x' }, stlye: 'word' }, 'raw/job/s.json'), /stlye/);
  assert.throws(() => validateJobFile({ template: 'short', style: 'line' }, 'raw/job/s.json'), /audio/);
});
