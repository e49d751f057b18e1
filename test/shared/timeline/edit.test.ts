import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { editTimeline, parseLogoPosition, parseOrder } from '../../../src/shared/timeline/edit.js';
import { TimelineSchema } from '../../../src/shared/timeline/schema.js';

const TL = TimelineSchema.parse({
  output: { width: 160, height: 90, fps: 30, duration: 3 },
  video: [
    { type: 'color', color: 'red', duration: 1 },
    { type: 'color', color: 'green', duration: 1, transition: { type: 'fade', duration: 0.2 } },
    { type: 'color', color: 'blue', duration: 1.5 },
  ],
  layers: [{ type: 'image', file: 'logo.png', position: 'top-left', margin: 4, scale: 0.12 }, { type: 'text', text: 'hi', end: 2.8 }],
  audio: [
    { file: 'voice.mp3', duration: 3, fade_out: 0.5 },
    { file: 'music.mp3', volume: 0.25, loop: true, fade_out: 0.5 },
  ],
});
const FILES = { voice: 'voice.mp3', music: 'music.mp3', logo: 'logo.png' };
const usage = (re: RegExp) => (err: unknown) => isClipmillError(err, 'USAGE') && re.test(err.message);

test('logo positions: "h,v" in either order, a position name, center', () => {
  assert.equal(parseLogoPosition('right,bottom'), 'bottom-right');
  assert.equal(parseLogoPosition('bottom, right'), 'bottom-right');
  assert.equal(parseLogoPosition('left,center'), 'left');
  assert.equal(parseLogoPosition('center,top'), 'top');
  assert.equal(parseLogoPosition('center'), 'center');
  assert.equal(parseLogoPosition('Top-Left'), 'top-left');
  for (const bad of ['', 'right,left', 'up', 'right,bottom,top']) assert.throws(() => parseLogoPosition(bad), usage(/logo position must be/), bad);
});

test('order: a permutation of 1..n', () => {
  assert.deepEqual(parseOrder('3,1,2', 3), [3, 1, 2]);
  for (const bad of ['1,2', '1,1,2', '0,1,2', '1,2,x', '1,2,4']) assert.throws(() => parseOrder(bad, 3), usage(/each of the 3 video segments once/), bad);
});

test('editTimeline: music volume, logo position/scale/animation and segment order, each change named; the original untouched', () => {
  const before = structuredClone(TL);
  const { timeline, changes } = editTimeline(TL, FILES, { musicVolume: 0.5, logoPosition: 'bottom-right', logoScale: 0.2, logoAnimation: 'fade', order: [3, 1, 2] });
  assert.deepEqual(changes, ['music volume 0.25 → 0.5', 'logo position top-left → bottom-right', 'logo scale 0.12 → 0.2', 'logo animation none → fade', 'video order 1,2,3 → 3,1,2']);
  assert.deepEqual(TL, before, 'a new timeline; the given one is not changed');
  assert.equal(timeline.audio[1]!.volume, 0.5);
  assert.deepEqual(timeline.layers[0], { ...TL.layers[0]!, position: 'bottom-right', scale: 0.2, animation: 'fade' });
  assert.deepEqual(timeline.video.map((s) => (s.type === 'color' ? s.color : '')), ['blue', 'red', 'green']);
  assert.deepEqual(timeline.video[2]!.transition, { type: 'fade', duration: 0.2 }, 'a segment keeps its own transition');
});

test('editTimeline: no music; another voice cuts the video and the layers to its length; a voice longer than the footage is refused', () => {
  assert.deepEqual(editTimeline(TL, FILES, { noMusic: true }).timeline.audio.map((a) => a.file), ['voice.mp3']);
  const { timeline, changes } = editTimeline(TL, FILES, { voice: { path: 'scanned/story/c/s/voice/chapter_0002.mp3', duration: 2.5, previous: 'scanned/story/c/s/voice/chapter_0001.mp3' } });
  assert.deepEqual(changes, ['voice scanned/story/c/s/voice/chapter_0001.mp3 → scanned/story/c/s/voice/chapter_0002.mp3 (3 s → 2.5 s)']);
  assert.equal(timeline.output.duration, 2.5);
  assert.equal(timeline.audio[0]!.duration, 2.5);
  assert.equal(timeline.layers[1]!.end, 2.5);
  assert.throws(() => editTimeline(TL, FILES, { voice: { path: 'v.mp3', duration: 9 } }), usage(/lasts 9 s but the task's footage only 3.5 s/));
});

test('editTimeline: what does not apply is refused with the reason', () => {
  assert.throws(() => editTimeline(TL, FILES, {}), usage(/nothing to change/));
  assert.throws(() => editTimeline(TL, { ...FILES, music: null }, { musicVolume: 1 }), usage(/no music track/));
  assert.throws(() => editTimeline(TL, { ...FILES, logo: null }, { logoScale: 0.3 }), usage(/no logo to change/));
});

test('editTimeline: another voice takes the captions along when it has word timings; without them the captions go', () => {
  const captioned = TimelineSchema.parse({ ...TL, layers: [...TL.layers, { type: 'captions', words: 'scanned/story/c/s/voice/chapter_0001.mp3.words.json' }] });
  const voice = { path: 'scanned/story/c/s/voice/chapter_0002.mp3', duration: 2.5 };
  const timed = editTimeline(captioned, FILES, { voice: { ...voice, words: `${voice.path}.words.json` } });
  assert.deepEqual(timed.timeline.layers.flatMap((l) => (l.type === 'captions' ? [l.words] : [])), [`${voice.path}.words.json`]);
  assert.match(timed.changes.at(-1)!, /captions timed by scanned\/story\/c\/s\/voice\/chapter_0002\.mp3\.words\.json/);
  const bare = editTimeline(captioned, FILES, { voice: { ...voice, words: null } });
  assert.deepEqual(bare.timeline.layers.map((l) => l.type), ['image', 'text']);
  assert.match(bare.changes.at(-1)!, /captions removed \(scanned\/story\/c\/s\/voice\/chapter_0002\.mp3 has no word timings\)/);
  // A timeline without captions gains none.
  assert.deepEqual(editTimeline(TL, FILES, { voice: { ...voice, words: `${voice.path}.words.json` } }).timeline.layers.map((l) => l.type), ['image', 'text']);
});
