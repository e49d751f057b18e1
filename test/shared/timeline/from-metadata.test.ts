// The timeline of a task: metadata.json v2 carries one (and must), a v1 task gets the
// voice-over timeline of its fields: the clips cut to the voice, the voice, the music looped
// under it, the frame layer screen-blended, the logo top left. render.test.ts renders it next
// to the v1 renderer's argv.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { validateMetadata, type TaskMetadata } from '../../../src/shared/task.js';
import { timelineOf, voiceOverTimeline } from '../../../src/shared/timeline/from-metadata.js';
import { TimelineSchema } from '../../../src/shared/timeline/schema.js';
import { sampleMetadata } from '../../fixtures.js';

const NO_MUSIC = { music_file: null, music_source: null, music_duration: null } as const;

test('voiceOverTimeline of the sample task: its clip, the voice and the looped music faded out together, the logo', () => {
  assert.deepEqual(voiceOverTimeline(sampleMetadata()), {
    output: { width: 1920, height: 1080, fps: 30, duration: 125.7, quality: 'normal' },
    video: [{ type: 'clip', file: 'scanned/video/fantasy/mp4_w1920_h1080/130.0_9b2e.mp4', in: 0, out: 125.7, fit: 'pad', flip: false }],
    layers: [
      // 3% of the short side, even: 32 pixels, as the v1 renderer placed it; 12% of the width.
      { type: 'image', file: 'logo.png', start: 0, position: 'top-left', margin: 32, scale: 0.12, opacity: 1, animation: 'none', animation_duration: 0.5 },
    ],
    audio: [
      { file: 'voice.mp3', start: 0, in: 0, duration: 125.7, volume: 1, loop: false, fade_in: 0, fade_out: 0.5 },
      { file: 'music.mp3', start: 0, in: 0, volume: 0.25, loop: true, fade_in: 0, fade_out: 0.5 },
    ],
    effects: { contrast: 1, brightness: 0, saturation: 1, gamma: 1, speed: 1, pitch: 1, flip: false },
  });
});

test('voiceOverTimeline: every clip a segment with its points and the task fit; the frame layer before the logo', () => {
  const meta = sampleMetadata({
    voice_duration: 7.5,
    video_files: [
      { path: 'scanned/video/c/mp4_w1280_h720/4.0_a.mp4', duration: 4, in: 0, out: 4 },
      { path: 'scanned/video/c/mp4_w1280_h720/6.0_b.mp4', duration: 6, in: 0, out: 3.5 },
    ],
    frame_file: 'frame.mp4',
    frame_source: 'scanned/frame/c/mp4_w1280_h720/5.0_f.mp4',
    audio: { voice_volume: 1.2, music_volume: 0.3, fade_out_seconds: 1 },
    render: { ...sampleMetadata().render, resolution: '720x1280', frame_rate: 25, fit: 'crop', logo_width: 0.2 },
  });
  const t = voiceOverTimeline(meta);
  assert.deepEqual(t.output, { width: 720, height: 1280, fps: 25, duration: 7.5, quality: 'normal' });
  assert.deepEqual(t.video, [
    { type: 'clip', file: 'scanned/video/c/mp4_w1280_h720/4.0_a.mp4', in: 0, out: 4, fit: 'crop', flip: false },
    { type: 'clip', file: 'scanned/video/c/mp4_w1280_h720/6.0_b.mp4', in: 0, out: 3.5, fit: 'crop', flip: false },
  ]);
  assert.deepEqual(t.layers, [
    { type: 'video', file: 'frame.mp4', start: 0, opacity: 1, blend: 'screen' },
    { type: 'image', file: 'logo.png', start: 0, position: 'top-left', margin: 22, scale: 0.2, opacity: 1, animation: 'none', animation_duration: 0.5 },
  ]);
  assert.deepEqual(t.audio.map((a) => [a.file, a.volume, a.loop, a.fade_out]), [['voice.mp3', 1.2, false, 1], ['music.mp3', 0.3, true, 1]]);
});

test('voiceOverTimeline: no music, no logo, no frame: the clips and the voice; a fade as long as the voice is dropped', () => {
  const t = voiceOverTimeline(sampleMetadata({ ...NO_MUSIC, voice_duration: 0.5, video_files: [{ path: 'v.mp4', duration: 2, in: 0, out: 0.5 }], render: { ...sampleMetadata().render, logo: null } }));
  assert.deepEqual(t.layers, []);
  assert.deepEqual(t.audio, [{ file: 'voice.mp3', start: 0, in: 0, duration: 0.5, volume: 1, loop: false, fade_in: 0, fade_out: 0 }]);
  assert.equal(voiceOverTimeline(sampleMetadata({ audio: { voice_volume: 1, music_volume: 0.25, fade_out_seconds: 0 } })).audio[1]!.fade_out, 0);
  // The logo margin is at least 2 pixels.
  const tiny = voiceOverTimeline(sampleMetadata({ render: { ...sampleMetadata().render, resolution: '32x32' } }));
  assert.equal(tiny.layers[0]!.type === 'image' && tiny.layers[0]!.margin, 2);
});

test('voiceOverTimeline: v1 fields a timeline cannot hold make the task invalid, naming the field and the value', () => {
  const bad: Array<[Partial<TaskMetadata>, RegExp]> = [
    [{ render: { ...sampleMetadata().render, resolution: '1921x1080' } }, /output\.width must be an even integer from 16 to 8192, got 1921/],
    [{ render: { ...sampleMetadata().render, logo_width: 0 } }, /layers\[0\]\.scale must be a number from 0\.001 to 4, got 0/],
    [{ audio: { voice_volume: 11, music_volume: 0.25, fade_out_seconds: 0.5 } }, /audio\[0\]\.volume must be a number from 0 to 10, got 11/],
    [{ voice_duration: 200 }, /video must be segments lasting at least output\.duration \(200 s\)/],
  ];
  for (const [over, re] of bad) {
    assert.throws(
      () => voiceOverTimeline(sampleMetadata(over)),
      (err: unknown) => isClipmillError(err, 'TASK_INVALID') && re.test((err as Error).message) && (err as Error).message.startsWith('the voice-over timeline of task 0f8fad5b-d9cb-469f-a165-70867728950e: '),
      `expected ${re}`,
    );
  }
});

test('timelineOf: a v2 task renders its own timeline; a v1 task the voice-over timeline of its fields', () => {
  const own = TimelineSchema.parse({ output: { width: 160, height: 90, fps: 30, duration: 1 }, video: [{ type: 'color', color: 'red', duration: 1 }] });
  assert.equal(timelineOf({ ...sampleMetadata(), schema_version: 2, timeline: own }), own);
  assert.deepEqual(timelineOf(sampleMetadata()), voiceOverTimeline(sampleMetadata()));
});

test('metadata.json: v1 without a timeline still validates; v2 requires one; v1 with one is refused; v2 keeps it with defaults', () => {
  assert.deepEqual(validateMetadata(sampleMetadata()), sampleMetadata());
  const refused = (value: unknown, re: RegExp) => assert.throws(() => validateMetadata(value), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && re.test((err as Error).message), `expected ${re}`);
  refused({ ...sampleMetadata(), schema_version: 2 }, /metadata\.json: timeline must be a timeline \(schema_version 2\), got nothing/);
  const written = { output: { width: 160, height: 90, fps: 30, duration: 1 }, video: [{ type: 'color', color: 'red', duration: 1 }] };
  refused({ ...sampleMetadata(), timeline: written }, /schema_version must be 2 \(the task has a timeline\), got 1/);
  refused({ ...sampleMetadata(), schema_version: 2, timeline: { ...written, video: [{ type: 'clip', file: 'a.mp4', in: 2, out: 1 }] } }, /timeline\.video\[0\]\.out must be a number above in \(2\), got 1/);
  const v2: TaskMetadata = validateMetadata({ ...sampleMetadata(), schema_version: 2, timeline: written });
  assert.deepEqual(v2.timeline?.video, [{ type: 'color', color: 'red', duration: 1, fit: 'crop', flip: false }]);
  assert.equal(v2.timeline?.output.quality, 'normal');
  // What the main worker writes (v2, the voice-over timeline) reads back as written.
  const written2 = { ...sampleMetadata(), schema_version: 2 as const, timeline: voiceOverTimeline(sampleMetadata()) };
  assert.deepEqual(validateMetadata(JSON.parse(JSON.stringify(written2))), written2);
});
