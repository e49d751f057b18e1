// The short scene planner, pure: keywords, beats at sentence and clause boundaries, the quality
// check (every beat whose words name a tag shows an asset with that tag), no asset twice while
// others match, the timeline (stills with Ken Burns, blur-fill footage, transitions, captions,
// ducked music), and the same plan for the same seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/shared/rng.js';
import { validateJobFile } from '../../../src/shared/job.js';
import { speak } from './speak.js';
import { planShort, speechSpans, type ShortRules } from '../../../src/main-worker/planners/short.js';
import { keywords } from '../../../src/main-worker/planners/short-keywords.js';
import { fixtureCatalog, fixturePath, type FixtureAsset } from '../../job-fixtures.js';

const RULES: ShortRules = { width: 108, height: 192, fps: 30, quality: 'normal', captionStyle: 'karaoke', musicVolume: 0.3, duckDb: 18, transition: 'fade', transitionSeconds: 0.3 };

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
  assert.equal(validateJobFile({ template: 'short', audio: { category: 'cars', story: 'tale', voice: 'chapter_0001' } }, 'raw/job/s.json').template, 'short');
  assert.throws(() => validateJobFile({ template: 'short', audio: { category: 'cars', story: 'tale' } }, 'raw/job/s.json'), /audio\.voice: a non-empty string \(a story voice is/);
  assert.throws(() => validateJobFile({ template: 'short', audio: { category: 'cars', story: 'tale', voice: 'c', part: 1 } }, 'raw/job/s.json'), /audio\.part: absent with "story" and "voice"/);
});

test('target_seconds: the short ends at the last sentence that fits; the voice is cut there with a short fade', () => {
  const sentence = 'The red car drives along the coast road past the old harbour walls.';
  const words = speak(Array.from({ length: 12 }, () => sentence).join(' '));
  const duration = words[words.length - 1]!.end + 0.4;
  assert.ok(duration > 45);
  const r = planShort({ audio: 'a.wav', duration, wordsFile: 'a.json', words, category: 'city', targetSeconds: 30 }, fixtureCatalog(CATALOG), RULES, createRng(1));
  assert.ok(r.ok);
  const tl = r.plan.timeline;
  assert.ok(tl.output.duration <= 30 && tl.output.duration > 25, String(tl.output.duration));
  const lastWord = words.filter((w) => w.end <= tl.output.duration).pop()!;
  assert.match(lastWord.word, /\.$/, 'it ends after a sentence');
  assert.equal(tl.audio[0]!.out, tl.output.duration);
  assert.equal(tl.audio[0]!.fade_out, 0.3);
  assert.ok(r.plan.visuals.every((v) => v.beat.end <= tl.output.duration));
});
