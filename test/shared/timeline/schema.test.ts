// The timeline's schema: defaults filled in, every refusal naming the field and the bad value
// (through validate/describeExpected, as metadata.json and timeline.json are read), the
// cross-field rules (segments covering the output, transitions shorter than their neighbours,
// layer ends after starts), and the helpers segmentDuration and timelineFiles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { describeExpected, validate } from '../../../src/shared/json.js';
import { segmentDuration, timelineFileFields, timelineFiles, TimelineSchema, type TimelineInput } from '../../../src/shared/timeline/schema.js';

const check = (value: unknown) => validate(TimelineSchema, value, 'timeline.json', 'TASK_INVALID', describeExpected);

const base = (): TimelineInput => ({
  output: { width: 1920, height: 1080, fps: 30, duration: 3 },
  video: [
    { type: 'color', color: 'red', duration: 1 },
    { type: 'clip', file: 'a.mp4', in: 1, out: 3 },
  ],
});

type Node = Record<string | number, unknown>;

/** `base()` with the value at each path replaced, as plain JSON (what a file holds). */
function edited(...changes: Array<[Array<string | number>, unknown]>): unknown {
  const root = structuredClone(base()) as unknown as Node;
  for (const [path, value] of changes) {
    let cur = root;
    for (const k of path.slice(0, -1)) cur = cur[k] as Node;
    cur[path[path.length - 1]!] = value;
  }
  return root;
}

test('defaults are filled in: quality, fit, flip, in, layers, audio, effects, and every layer and track field', () => {
  const t = check({
    ...base(),
    layers: [{ type: 'image', file: 'logo.png' }, { type: 'video', file: 'leak.mp4' }, { type: 'border' }],
    audio: [{ file: 'voice.mp3' }],
  });
  assert.deepEqual(t.output, { width: 1920, height: 1080, fps: 30, duration: 3, quality: 'normal' });
  assert.deepEqual(t.video, [
    { type: 'color', color: 'red', duration: 1, fit: 'crop', flip: false },
    { type: 'clip', file: 'a.mp4', in: 1, out: 3, fit: 'crop', flip: false },
  ]);
  assert.deepEqual(t.layers, [
    { type: 'image', file: 'logo.png', start: 0, position: 'top-left', margin: 0, scale: 0.15, opacity: 1, animation: 'none', animation_duration: 0.5 },
    { type: 'video', file: 'leak.mp4', start: 0, opacity: 1, blend: 'normal' },
    { type: 'border', start: 0, color: '#ffffff', width: 12 },
  ]);
  assert.deepEqual(t.audio, [{ file: 'voice.mp3', start: 0, in: 0, volume: 1, loop: false, fade_in: 0, fade_out: 0 }]);
  assert.deepEqual(t.effects, { contrast: 1, brightness: 0, saturation: 1, gamma: 1, speed: 1, pitch: 1, flip: false });
  // A clip's in defaults to 0; a transition's duration to 0.5.
  const u = check({ output: { width: 16, height: 16, fps: 1, duration: 2 }, video: [{ type: 'clip', file: 'a.mp4', out: 1 }, { type: 'still', file: 's.png', duration: 1, transition: { type: 'fade' } }] });
  assert.equal(u.video[0]!.type === 'clip' && u.video[0]!.in, 0);
  assert.deepEqual(u.video[1]!.transition, { type: 'fade', duration: 0.5 });
});

test('refusals name the field and the bad value', () => {
  const cases: Array<[unknown, RegExp, string]> = [
    [edited([['video', 1, 'out'], 0.5]), /^timeline\.json: video\[1\]\.out must be a number above in \(1\), got 0\.5/, 'video[1].out'],
    [edited([['output', 'width'], 161]), /output\.width must be an even integer from 16 to 8192, got 161/, 'output.width'],
    [edited([['output', 'height'], 8194]), /output\.height must be an even integer from 16 to 8192, got 8194/, 'output.height'],
    [edited([['output', 'fps'], 0]), /output\.fps must be a number from 1 to 120, got 0/, 'output.fps'],
    [edited([['output', 'duration'], '3']), /output\.duration must be a number > 0, got "3"/, 'output.duration'],
    [edited([['output', 'quality'], 'best']), /output\.quality must be "draft", "normal" or "high", got "best"/, 'output.quality'],
    [edited([['video', 0, 'color'], '#12345']), /video\[0\]\.color must be a colour: "#rrggbb", "#rrggbbaa" or a name .*, got "#12345"/, 'video[0].color'],
    [edited([['video', 1, 'fit'], 'stretch']), /video\[1\]\.fit must be "pad", "crop" or "blur-fill", got "stretch"/, 'video[1].fit'],
    [edited([['video', 1, 'transition'], { type: 'spin' }]), /video\[1\]\.transition\.type must be one of cut, fade, .*, got "spin"/, 'video[1].transition.type'],
    [edited([['video', 1, 'file'], 'a\nb.mp4']), /video\[1\]\.file must be a file path without line breaks, got "a\\nb\.mp4"/, 'video[1].file'],
    [edited([['video', 1, 'file'], '']), /video\[1\]\.file must be a file path, got ""/, 'video[1].file'],
    [edited([['video', 0, 'type'], 'movie']), /video\[0\]\.type must be a segment with type "clip", "still" or "color"/, 'video[0].type'],
    [edited([['video'], []]), /video must be a non-empty list of segments, got \[\]/, 'video'],
    [edited([['layers'], [{ type: 'image', file: 'l.png', position: 'middle' }]]), /layers\[0\]\.position must be one of top-left, top, .*, got "middle"/, 'layers[0].position'],
    [edited([['layers'], [{ type: 'image', file: 'l.png', start: 2, end: 1 }]]), /layers\[0\]\.end must be a number above start \(2\), got 1/, 'layers[0].end'],
    [edited([['layers'], [{ type: 'video', file: 'l.mp4', opacity: 2 }]]), /layers\[0\]\.opacity must be a number from 0 to 1, got 2/, 'layers[0].opacity'],
    [edited([['layers'], [{ type: 'video', file: 'l.mp4', blend: 'multiply' }]]), /layers\[0\]\.blend must be "normal" or "screen", got "multiply"/, 'layers[0].blend'],
    [edited([['layers'], [{ type: 'border', width: 0 }]]), /layers\[0\]\.width must be a number > 0, got 0/, 'layers[0].width'],
    [edited([['layers'], [{ type: 'sticker' }]]), /layers\[0\]\.type must be a layer with type "image", "video", "text", "border" or "captions"/, 'layers[0].type'],
    [edited([['audio'], [{ file: 'a.mp3', in: 2, out: 1 }]]), /audio\[0\]\.out must be a number above in \(2\), got 1/, 'audio[0].out'],
    [edited([['audio'], [{ file: 'a.mp3', volume: -1 }]]), /audio\[0\]\.volume must be a number from 0 to 10, got -1/, 'audio[0].volume'],
    [edited([['audio'], [{ file: 'a.mp3', loop: 'yes' }]]), /audio\[0\]\.loop must be true or false, got "yes"/, 'audio[0].loop'],
    [edited([['effects'], { speed: 5 }]), /effects\.speed must be a number from 0\.25 to 4, got 5/, 'effects.speed'],
    [edited([['effects'], { pitch: 0.4 }]), /effects\.pitch must be a number from 0\.5 to 2, got 0\.4/, 'effects.pitch'],
  ];
  for (const [value, re, field] of cases) {
    assert.throws(
      () => check(value),
      (err: unknown) => isClipmillError(err, 'TASK_INVALID') && re.test((err as Error).message) && (err as Error & { details: Record<string, unknown> }).details.field === field,
      `expected ${re} on ${field}`,
    );
  }
});

test('unknown keys are refused, at every level', () => {
  const cases: Array<[unknown, RegExp]> = [
    [edited([['colour'], 'red']), /unknown key "colour"/],
    [edited([['output', 'bitrate'], 5]), /unknown key "output\.bitrate"/],
    [edited([['video', 0, 'colour'], 'red']), /unknown key "video\[0\]\.colour"/],
    [edited([['video', 1, 'transition'], { type: 'fade', length: 1 }]), /unknown key "video\[1\]\.transition\.length"/],
    [edited([['layers'], [{ type: 'border', colour: 'red' }]]), /unknown key "layers\[0\]\.colour"/],
    [edited([['audio'], [{ file: 'a.mp3', gain: 2 }]]), /unknown key "audio\[0\]\.gain"/],
    [edited([['effects'], { sped: 2 }]), /unknown key "effects\.sped"/],
  ];
  for (const [value, re] of cases) assert.throws(() => check(value), re);
});

test('segments must cover output.duration (to half a frame); the last one is cut where the output ends', () => {
  assert.throws(() => check(edited([['output', 'duration'], 3.5])), /video must be segments lasting at least output\.duration \(3\.5 s\), got "segments lasting 3 s"/);
  // Half a frame short is still a whole number of frames: accepted.
  assert.ok(check(edited([['output', 'duration'], 3 + 0.4 / 30])));
  assert.ok(check(edited([['output', 'duration'], 1.5])));
});

test('a transition must be shorter than the segment it enters and the one before it; on the first segment and cuts there is no limit', () => {
  assert.throws(() => check(edited([['video', 1, 'transition'], { type: 'fade', duration: 1 }])), /video\[1\]\.transition\.duration must be a number below 1 \(the shorter of this segment and the previous one\), got 1/);
  assert.throws(
    () => check(edited([['video', 0, 'duration'], 3], [['video', 1, 'transition'], { type: 'wipeleft', duration: 2 }])),
    /video\[1\]\.transition\.duration must be a number below 2 .*got 2/,
  );
  assert.ok(check(edited([['video', 1, 'transition'], { type: 'fade', duration: 0.9 }])));
  assert.ok(check(edited([['video', 1, 'transition'], { type: 'cut', duration: 5 }])));
  assert.ok(check(edited([['video', 0, 'transition'], { type: 'fade', duration: 5 }])));
});

test('segmentDuration, timelineFiles and timelineFileFields', () => {
  const t = check({
    ...base(),
    video: [...base().video, { type: 'still', file: 's.png', duration: 2.5 }, { type: 'clip', file: 'a.mp4', out: 1 }],
    layers: [{ type: 'image', file: 'logo.png' }, { type: 'border' }, { type: 'video', file: 'leak.mp4' }, { type: 'image', file: 's.png' }],
    audio: [{ file: 'voice.mp3' }, { file: 'music.mp3' }, { file: 'voice.mp3', start: 1 }],
  });
  assert.deepEqual(t.video.map(segmentDuration), [1, 2, 2.5, 1]);
  assert.deepEqual(timelineFiles(t), ['a.mp4', 's.png', 'logo.png', 'leak.mp4', 'voice.mp3', 'music.mp3']);
  // Each with the first field that names it, after a prefix.
  assert.deepEqual([...timelineFileFields(t, 'timeline.')], [
    ['a.mp4', 'timeline.video[1].file'],
    ['s.png', 'timeline.video[2].file'],
    ['logo.png', 'timeline.layers[0].file'],
    ['leak.mp4', 'timeline.layers[2].file'],
    ['voice.mp3', 'timeline.audio[0].file'],
    ['music.mp3', 'timeline.audio[1].file'],
  ]);
});
