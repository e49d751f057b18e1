// Every element of the timeline rendered for real (STYLE 2, 11): tiny media whose pixels and
// samples say where they come from (one colour per second, colour halves, sine tones), the
// compiled argv run by ffmpeg, then frames decoded as RGB and samples as floats. The media
// live in a folder whose name holds quotes, brackets, separators and Unicode, so every input
// kind (concat list, image, looped video, audio) is read through a hostile path.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { probe } from '../../../src/shared/media/probe.js';
import { buildFfconcat, validateMetadata } from '../../../src/shared/task.js';
import { timelineOf } from '../../../src/shared/timeline/from-metadata.js';
import { sampleMetadata } from '../../fixtures.js';
import { binaries, testConfig } from '../../helpers.js';
import { colorName, frameAt, makeMedia, meanDifference, MEDIA, pixelTrack, render, rmsDb, runFfmpeg, runs, samples, timeline, TONE_DB, toneHz, type Rgb } from './render-media.js';

let root = '';
let media = '';
let out = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'clipmill-render-'));
  media = join(root, "it's [media]; a,b:c=d ✓");
  out = join(root, 'out');
  await mkdir(out);
  await makeMedia(media);
});
after(() => rm(root, { recursive: true, force: true }));

const ffprobe = async () => (await binaries()).ffprobe.path;
const near = (actual: number, expected: number, tolerance: number, what: string) => assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
const close = (actual: Rgb, expected: Rgb, tolerance: number, what: string) => assert.ok(actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance), `${what}: ${JSON.stringify(actual)} is not within ${tolerance} of ${JSON.stringify(expected)}`);
/** Seconds `a` to `b` of one channel. */
const slice = (s: Float32Array, a: number, b: number) => s.subarray(Math.round(a * 48000), Math.round(b * 48000));

test('a run of clips cut between keyframes (B-frames), colours: each frame from its place, on the output grid, the exact count; 16:9 size, rate and length; no audio stream', async () => {
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 4.55, quality: 'draft' },
    video: [
      { type: 'clip', file: MEDIA.colors, in: 0, out: 1 },
      { type: 'clip', file: MEDIA.colors, in: 2.5, out: 3.5 },
      { type: 'clip', file: MEDIA.colors, in: 1.2, out: 2.2 },
      // Not whole frames: 3.55 s is frame 106.5 (107), 4.1 s frame 123, 4.55 s frame 136.5 (137).
      { type: 'color', color: 'black', duration: 0.55 },
      { type: 'clip', file: MEDIA.colors, in: 1, out: 1.55 },
      { type: 'color', color: 'black', duration: 0.45 },
    ],
  });
  const { path, compiled } = await render(tl, media, out, 'run');
  assert.equal(compiled.argv.filter((a) => a === '-i').length, 2, 'one decoder for each run of clips');
  assert.equal(runs((await pixelTrack(path, 80, 45)).map(colorName)), 'red x30, blue x15, white x15, green x24, blue x6, black x17, green x16, black x14');
  const info = await probe(await ffprobe(), path);
  assert.equal(info.video?.width, 160);
  assert.equal(info.video?.height, 90);
  assert.equal(info.video?.fps, 30);
  near(info.duration, 4.55, 1 / 30, 'duration');
  assert.equal(info.audio, null);
  assert.deepEqual(compiled.expect, { width: 160, height: 90, fps: 30, duration: 4.55, audio: false });
});

test('9:16 fits: pad puts black bars above and below, crop (flipped) covers and mirrors, blur-fill has no bars and is not uniform', async () => {
  const tl = timeline({
    output: { width: 90, height: 160, fps: 30, duration: 3, quality: 'draft' },
    video: [
      { type: 'clip', file: MEDIA.halves, out: 1, fit: 'pad' },
      { type: 'clip', file: MEDIA.halves, out: 1, fit: 'crop', flip: true },
      { type: 'clip', file: MEDIA.halves, out: 1, fit: 'blur-fill' },
    ],
  });
  const { path } = await render(tl, media, out, 'fits');
  const info = await probe(await ffprobe(), path);
  assert.deepEqual([info.video?.width, info.video?.height, info.video?.fps], [90, 160, 30]);
  near(info.duration, 3, 1 / 30, 'duration');
  assert.equal((await pixelTrack(path, 45, 80)).length, 90);

  const pad = await frameAt(path, 0.5, 90, 160);
  for (const [x, y] of [[45, 10], [45, 150], [5, 40], [85, 120]] as const) close(pad.at(x, y), [0, 0, 0], 12, `pad bar at ${x},${y}`);
  assert.equal(colorName(pad.at(10, 80)), 'red');
  assert.equal(colorName(pad.at(80, 80)), 'blue');

  const crop = await frameAt(path, 1.5, 90, 160);
  assert.deepEqual([crop.at(10, 5), crop.at(10, 80), crop.at(80, 80), crop.at(80, 155)].map(colorName), ['blue', 'blue', 'red', 'red']);

  const blur = await frameAt(path, 2.5, 90, 160);
  assert.equal(colorName(blur.at(10, 80)), 'red');
  assert.equal(colorName(blur.at(80, 80)), 'blue');
  for (const y of [8, 150]) {
    const [left, right] = [blur.at(5, y), blur.at(85, y)];
    assert.ok(left[0] + left[1] + left[2] > 60 && right[0] + right[1] + right[2] > 60, `no black bar at y=${y}: ${JSON.stringify([left, right])}`);
    assert.ok(left[0] > left[2] && right[2] > right[0], `the blurred background follows the picture at y=${y}: ${JSON.stringify([left, right])}`);
  }
});

test('1:1 colours and transitions: a fade mixes both colours at its middle, a wipe splits the picture; the length is the sum of the segments', async () => {
  const tl = timeline({
    output: { width: 96, height: 96, fps: 30, duration: 3, quality: 'draft' },
    video: [
      { type: 'color', color: 'red', duration: 1 },
      { type: 'color', color: 'blue', duration: 1, transition: { type: 'fade', duration: 0.5 } },
      { type: 'clip', file: MEDIA.colors, in: 3, out: 4, transition: { type: 'wipeleft', duration: 0.5 } },
    ],
  });
  const { path } = await render(tl, media, out, 'transitions');
  const track = await pixelTrack(path, 48, 48);
  assert.equal(track.length, 90);
  const info = await probe(await ffprobe(), path);
  assert.deepEqual([info.video?.width, info.video?.height], [96, 96]);
  near(info.duration, 3, 1 / 30, 'duration');
  close((await frameAt(path, 0.5, 96, 96)).at(48, 48), [255, 0, 0], 16, 'the red segment');
  close((await frameAt(path, 1.25, 96, 96)).at(48, 48), [128, 0, 128], 30, 'half way through the fade');
  close((await frameAt(path, 1.75, 96, 96)).at(48, 48), [0, 0, 255], 16, 'the blue segment');
  const wipe = await frameAt(path, 2.25, 96, 96);
  assert.deepEqual([wipe.at(4, 48), wipe.at(92, 48)].map(colorName).sort(), ['blue', 'white']);
  assert.equal(colorName((await frameAt(path, 2.75, 96, 96)).at(48, 48)), 'white');
});

test('a still (no Ken Burns): the picture fitted for its duration, between two colours', async () => {
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 3, quality: 'draft' },
    video: [
      { type: 'color', color: 'blue', duration: 1 },
      { type: 'still', file: MEDIA.red, duration: 1, fit: 'pad' },
      { type: 'color', color: 'white', duration: 1 },
    ],
  });
  const { path } = await render(tl, media, out, 'still');
  // still.ts is being rewritten (it may give one frame less): the counts within one frame.
  const names = (await pixelTrack(path, 80, 45)).map(colorName);
  near(names.length, 90, 1, 'frames');
  near(names.filter((n) => n === 'red').length, 30, 1, 'frames of the still');
  const f = await frameAt(path, 1.5, 160, 90);
  assert.deepEqual([f.at(80, 45), f.at(5, 45), f.at(154, 45)].map(colorName), ['red', 'black', 'black'], 'a square picture padded into 16:9');
  assert.equal(colorName((await frameAt(path, 0.5, 160, 90)).at(80, 45)), 'blue');
  assert.equal(colorName((await frameAt(path, 2.5, 160, 90)).at(80, 45)), 'white');
});

test('image layers: at their grid place and nowhere else, opacity mixes, fade and zoom animate in, a border only during its range', async () => {
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 3, quality: 'draft' },
    video: [{ type: 'color', color: 'gray', duration: 3 }],
    layers: [
      { type: 'image', file: MEDIA.red, position: 'bottom-right', margin: 8, scale: 0.2 },
      { type: 'image', file: MEDIA.red, position: 'top-left', scale: 0.2, opacity: 0.5 },
      { type: 'image', file: MEDIA.red, position: 'center', scale: 0.2, animation: 'fade', animation_duration: 1, start: 1, end: 2.5 },
      { type: 'image', file: MEDIA.red, position: 'top', scale: 0.2, animation: 'zoom', animation_duration: 1 },
      // Starts between two frames of 1/25 s (an image's time base) and of 1/30 s.
      { type: 'image', file: MEDIA.red, position: 'left', scale: 0.2, animation: 'zoom', animation_duration: 0.5, start: 0.55 },
      { type: 'border', color: 'white', width: 4, start: 2, end: 2.5 },
    ],
  });
  const { path } = await render(tl, media, out, 'images');
  const GRAY: Rgb = [128, 128, 128];
  const f05 = await frameAt(path, 0.5, 160, 90);
  // 32x32 at 120..151 x 50..81 (margin 8 from the bottom right).
  close(f05.at(136, 66), [255, 0, 0], 20, 'bottom-right image');
  close(f05.at(117, 66), GRAY, 8, 'left of it');
  close(f05.at(136, 85), GRAY, 8, 'in its margin');
  close(f05.at(150, 10), GRAY, 8, 'top right corner');
  close(f05.at(16, 75), GRAY, 8, 'bottom left corner');
  close(f05.at(16, 16), [191, 64, 64], 16, 'opacity 0.5 over gray');
  close(f05.at(80, 45), GRAY, 8, 'the faded image before its start');
  // Zoom at half way: about 18 pixels wide, centred at the top; full size (32) later.
  close(f05.at(80, 4), [255, 0, 0], 20, 'zoom, grown from the top centre');
  close(f05.at(66, 24), GRAY, 8, 'zoom, not yet full size');
  close(f05.at(1, 45), GRAY, 8, 'no border yet');
  // The zoom starting at 0.55 s: not on the frame before (0.533 s), growing from the left edge after.
  close((await frameAt(path, 0.54, 160, 90)).at(1, 45), GRAY, 8, 'a layer not before its start');
  close((await frameAt(path, 0.62, 160, 90)).at(1, 45), [255, 0, 0], 20, 'a layer from its start');
  close((await frameAt(path, 1.02, 160, 90)).at(80, 45), GRAY, 10, 'fade: invisible at its start');
  const f19 = await frameAt(path, 1.9, 160, 90);
  close(f19.at(80, 45), [255, 0, 0], 20, 'fade: visible later');
  close(f19.at(66, 24), [255, 0, 0], 20, 'zoom at full size');
  close(f19.at(1, 45), [255, 0, 0], 20, 'no border before its start');
  const f22 = await frameAt(path, 2.2, 160, 90);
  for (const [x, y] of [[1, 45], [158, 45], [40, 1], [40, 88], [80, 2]] as const) close(f22.at(x, y), [255, 255, 255], 12, `border at ${x},${y}`);
  close(f22.at(40, 8), GRAY, 8, 'inside the border');
  // The border ends at 2.5 s: the frame at 2.5 s is without it.
  close((await frameAt(path, 2.51, 160, 90)).at(158, 45), GRAY, 8, 'no border from its end');
  close((await frameAt(path, 2.6, 160, 90)).at(80, 45), GRAY, 8, 'the faded image after its end');
});

test('looped video layers: screen leaves the picture where the layer is black and lightens it elsewhere; normal mixes at its opacity', async () => {
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 2, quality: 'draft' },
    video: [{ type: 'color', color: 'gray', duration: 2 }],
    layers: [
      { type: 'video', file: MEDIA.spot, blend: 'screen', end: 1 },
      // The layer file lasts 1 s: from 1 s on it plays its second loop.
      { type: 'video', file: MEDIA.spot, blend: 'normal', opacity: 0.5, start: 1 },
    ],
  });
  const { path } = await render(tl, media, out, 'video-layers');
  const f05 = await frameAt(path, 0.5, 160, 90);
  close(f05.at(10, 10), [128, 128, 128], 5, 'screen over black: the picture as it was, no tint');
  close(f05.at(80, 45), [255, 255, 255], 10, 'screen over white');
  const f15 = await frameAt(path, 1.5, 160, 90);
  close(f15.at(10, 10), [64, 64, 64], 8, 'normal, half black');
  close(f15.at(80, 45), [191, 191, 191], 10, 'normal, half white');
  assert.equal((await pixelTrack(path, 10, 10)).length, 60);
});

test('audio: tracks mixed at their own levels (no 1/n), silence before a start, a 0.5 volume 6 dB down, loops of a file and of a part, a fade-out to silence', async () => {
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 7, quality: 'draft' },
    video: [{ type: 'color', color: 'black', duration: 7 }],
    audio: [
      { file: MEDIA.a440 },
      { file: MEDIA.a440, start: 1.5, volume: 0.5 },
      { file: MEDIA.b1000, start: 2.5, loop: true, duration: 2 },
      { file: MEDIA.a440long, start: 4.5, in: 1, out: 1.25, loop: true, duration: 1 },
      // The last half second of the file, looped: 5.5-6 s, then again from 6 s, fading out from 6 s.
      { file: MEDIA.a440long, start: 5.5, in: 2.5, loop: true, fade_out: 1 },
    ],
  });
  const { path, compiled } = await render(tl, media, out, 'audio');
  assert.ok(compiled.argv.includes('-stream_loop'), 'the whole file looped by the demuxer');
  const info = await probe(await ffprobe(), path);
  near(info.audio?.duration ?? 0, 7, 0.05, 'audio duration');
  const [left, right] = await samples(path);
  for (const ch of [left!, right!]) {
    near(rmsDb(slice(ch, 0.1, 0.9)), TONE_DB, 0.5, 'a track at volume 1 keeps its level in a mix of five');
    assert.ok(rmsDb(slice(ch, 1.1, 1.4)) < -60, 'silence before a track starts');
    near(rmsDb(slice(ch, 1.6, 2.4)), TONE_DB - 6.02, 0.5, 'volume 0.5');
    for (let t = 2.6; t < 4.4; t += 0.5) near(rmsDb(slice(ch, t, t + 0.3)), TONE_DB, 0.7, `the looped file at ${t.toFixed(1)} s`);
    near(toneHz(slice(ch, 2.6, 4.4)), 1000, 5, 'the looped file is the 1000 Hz tone');
    for (const t of [4.6, 5.1]) near(rmsDb(slice(ch, t, t + 0.3)), TONE_DB, 0.7, `the looped part at ${t} s`);
    near(rmsDb(slice(ch, 5.6, 5.9)), TONE_DB, 0.5, 'before the fade-out');
    near(rmsDb(slice(ch, 6.1, 6.2)), TONE_DB + 20 * Math.log10(0.85), 0.7, 'looped, early in the fade-out');
    near(rmsDb(slice(ch, 6.45, 6.55)), TONE_DB + 20 * Math.log10(0.5), 1, 'half way through the fade-out');
    assert.ok(rmsDb(slice(ch, 6.95, 7)) < TONE_DB - 25, 'the end of the fade-out is silence');
  }
});

test('effects: brightness and contrast change the pixels, flip mirrors, pitch 1.5 moves 440 Hz to 660 Hz and keeps the length', async () => {
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 2, quality: 'draft' },
    video: [
      { type: 'color', color: 'gray', duration: 0.5 },
      { type: 'color', color: '#404040', duration: 0.5 },
      { type: 'clip', file: MEDIA.halves, out: 1 },
    ],
    audio: [{ file: MEDIA.a440long }],
    effects: { brightness: 0.2, contrast: 1.5, flip: true, pitch: 1.5 },
  });
  const { path } = await render(tl, media, out, 'effects');
  const gray = (await frameAt(path, 0.25, 160, 90)).at(80, 45);
  const dark = (await frameAt(path, 0.75, 160, 90)).at(80, 45);
  // Brighter (128 and 64 before), and further apart (contrast 1.5 around the middle).
  assert.ok(gray[1] > 160 && dark[1] > 70, `brighter: ${gray} and ${dark}`);
  assert.ok(gray[1] - dark[1] > 80, `more contrast: ${gray} and ${dark}`);
  const flipped = await frameAt(path, 1.5, 160, 90);
  assert.ok(flipped.at(20, 45)[2] > flipped.at(20, 45)[0] && flipped.at(140, 45)[0] > flipped.at(140, 45)[2], 'blue on the left, red on the right');
  assert.equal((await pixelTrack(path, 80, 45)).length, 60);
  const info = await probe(await ffprobe(), path);
  near(info.audio?.duration ?? 0, 2, 0.05, 'audio duration');
  near(toneHz(slice((await samples(path))[0]!, 0.3, 1.7)), 660, 5, 'the pitch');
});

test('speed 2: half the length, video and audio; the frames run twice as fast; the tone keeps its pitch', async () => {
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 4, quality: 'draft' },
    video: [{ type: 'clip', file: MEDIA.colors, out: 4 }],
    audio: [{ file: MEDIA.a440long, loop: true }],
    effects: { speed: 2 },
  });
  const { path, compiled } = await render(tl, media, out, 'speed');
  assert.equal(compiled.expect.duration, 2);
  assert.equal(runs((await pixelTrack(path, 80, 45)).map(colorName)), 'red x15, green x15, blue x15, white x15');
  const info = await probe(await ffprobe(), path);
  near(info.duration, 2, 0.05, 'duration');
  near(info.audio?.duration ?? 0, 2, 0.05, 'audio duration');
  const [left] = await samples(path);
  near(toneHz(slice(left!, 0.2, 1.8)), 440, 5, 'atempo keeps the pitch');
  near(rmsDb(slice(left!, 0.2, 1.8)), TONE_DB, 0.7, 'and the level');
});

test('a v1 task (no timeline) renders through voiceOverTimeline as the v1 renderer rendered it: clips, voice, looped music, logo', async () => {
  const task = join(root, 'task');
  await mkdir(task);
  const local = (name: string) => join(task, name);
  await runFfmpeg(['-y', '-i', join(media, MEDIA.a440long), '-t', '2', '-c:a', 'libmp3lame', '-b:a', '192k', local('voice.mp3')]);
  await runFfmpeg(['-y', '-i', join(media, MEDIA.b1000), '-c:a', 'libmp3lame', '-b:a', '192k', local('music.mp3')]);
  await copyFile(join(media, MEDIA.red), local('logo.png'));
  const [clipA, clipB] = ['scanned/video/c/mp4_w160_h90/1.0_a.mp4', 'scanned/video/c/mp4_w160_h90/4.0_b.mp4'];
  const meta = validateMetadata(
    sampleMetadata({
      voice_duration: 2,
      music_duration: 0.5,
      video_class: 'mp4_w160_h90',
      video_files: [{ path: clipA, duration: 1, in: 0, out: 1 }, { path: clipB, duration: 4, in: 0, out: 1 }],
      audio: { voice_volume: 1, music_volume: 0.5, fade_out_seconds: 0.5 },
      render: { resolution: '160x90', frame_rate: 30, fit: 'pad', logo: 'logo.png', logo_width: 0.2, output_format: 'mp4' },
    }),
  );
  const paths = new Map([[clipA, join(media, MEDIA.halves)], [clipB, join(media, MEDIA.colors)], ...['voice.mp3', 'music.mp3', 'logo.png'].map((f): [string, string] => [f, local(f)])]);
  const now = (await render(timelineOf(meta), paths, out, 'v1-timeline')).path;
  // The v1 renderer: the clips whole in video_list.txt, the output cut at the voice's length.
  const list = local('video_list.txt');
  await writeFile(list, buildFfconcat([join(media, MEDIA.halves), join(media, MEDIA.colors)]));
  const before = join(out, 'v1-planrender.mp4');
  // The command the v1 renderer (planRender, replaced by the compiler) ran for this task.
  const norm = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo';
  const graph = [
    '[0:v]scale=160:90:force_original_aspect_ratio=decrease,pad=160:90:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=30,format=yuv420p[base]',
    '[3:v]scale=32:-2,format=rgba[logo]',
    '[base][logo]overlay=x=2:y=2[logoed]',
    '[logoed]format=yuv420p[vout]',
    `[1:a]${norm},volume=1[vc]`,
    `[2:a]${norm},volume=0.5[bg]`,
    '[vc][bg]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,afade=t=out:st=1.5:d=0.5[aout]',
  ].join(';');
  const x264 = encoderSpec('libx264', testConfig()).args;
  await runFfmpeg(['-y', '-f', 'concat', '-safe', '0', '-i', list, '-i', local('voice.mp3'), '-stream_loop', '-1', '-i', local('music.mp3'), '-i', local('logo.png'), '-filter_complex', graph, '-map', '[vout]', '-map', '[aout]', '-c:v', 'libx264', ...x264, '-r', '30', '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2', '-t', '2', '-movflags', '+faststart', '-f', 'mp4', before]);

  const [a, b] = [await probe(await ffprobe(), now), await probe(await ffprobe(), before)];
  assert.deepEqual([a.video?.width, a.video?.height, a.video?.fps], [b.video?.width, b.video?.height, b.video?.fps]);
  near(a.duration, b.duration, 1 / 30, 'the same length');
  near(a.duration, 2, 1 / 30, 'the voice\'s length');
  const [ta, tb] = [await pixelTrack(now, 120, 45), await pixelTrack(before, 120, 45)];
  assert.equal(runs(ta.map(colorName)), 'blue x30, red x30');
  assert.equal(runs(tb.map(colorName)), runs(ta.map(colorName)));
  for (const t of [0.5, 1.5]) {
    const [fa, fb] = [await frameAt(now, t, 160, 90), await frameAt(before, t, 160, 90)];
    assert.ok(meanDifference(fa, fb) < 3, `the same picture at ${t} s (mean difference ${meanDifference(fa, fb)})`);
    close(fa.at(18, 18), [255, 0, 0], 20, `the logo at ${t} s`);
  }
  const [sa, sb] = [(await samples(now))[0]!, (await samples(before))[0]!];
  for (const [from, to] of [[0.2, 0.8], [1.1, 1.4], [1.55, 1.7], [1.85, 1.95]] as const) {
    near(rmsDb(slice(sa, from, to)), rmsDb(slice(sb, from, to)), 0.5, `the same mix from ${from} to ${to} s`);
  }
  // Voice and music at their levels (no 1/n), faded out together at the end.
  near(rmsDb(slice(sa, 0.2, 0.8)), 10 * Math.log10(10 ** (TONE_DB / 10) * 1.25), 0.7, 'voice + music at 0.5');
  assert.ok(rmsDb(slice(sa, 1.9, 1.97)) < rmsDb(slice(sa, 1.1, 1.4)) - 10, 'faded out');
});
