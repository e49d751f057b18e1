// The "done when": a timeline using every element (clips with inpoints, a still with
// Ken Burns, a colour, every fit, flip, transitions, image / looped video / text / border
// layers, two audio tracks, every effect) renders in ONE ffmpeg process, without an error
// line, and keeps what it promises (duration within a frame, size, fps, audio).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { verifyAgainst } from '../../../src/shared/timeline/verify.js';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { makeClip, makeLogo, makeTone } from '../../../src/shared/media/generate.js';
import { prepareRender } from '../../../src/shared/timeline/prepare.js';
import { TimelineSchema, timelineFiles } from '../../../src/shared/timeline/schema.js';
import { binaries, tempDir, testConfig } from '../../helpers.js';

const HOSTILE = 'it\'s 100% "done": a\\b; c,d [e] {f}';

test('a timeline with every element renders in one ffmpeg pass and verifies', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg, ffprobe } = await binaries();
  const f = ffmpeg.path;
  await makeClip(f, join(dir, 'a.mp4'), { source: 'testsrc2', width: 320, height: 180, fps: 30, seconds: 2 });
  await makeClip(f, join(dir, 'b clip.mp4'), { source: 'smptebars', width: 320, height: 180, fps: 30, seconds: 2 });
  await makeClip(f, join(dir, 'leak.mp4'), { source: 'mandelbrot', width: 160, height: 90, fps: 30, seconds: 1 });
  await execa(f, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=400x300', '-frames:v', '1', join(dir, 'still.png')]);
  await makeLogo(f, join(dir, 'logo.png'), 64);
  await makeTone(f, join(dir, 'voice.mp3'), { seconds: 3, freqs: [440] });
  await makeTone(f, join(dir, 'music.mp3'), { seconds: 2, freqs: [220, 330] });
  const timeline = TimelineSchema.parse({
    output: { width: 180, height: 320, fps: 30, duration: 6, quality: 'draft' },
    video: [
      { type: 'clip', file: 'a.mp4', in: 0.5, out: 1.5, fit: 'crop' },
      { type: 'clip', file: 'b clip.mp4', in: 0, out: 1, fit: 'crop', flip: true },
      { type: 'still', file: 'still.png', duration: 1.5, fit: 'blur-fill', ken_burns: { from: { zoom: 1, x: 0.5, y: 0.5 }, to: { zoom: 1.4, x: 0.4, y: 0.6 } }, transition: { type: 'fade', duration: 0.5 } },
      { type: 'color', color: '#203040', duration: 1, transition: { type: 'wipeleft', duration: 0.3 } },
      { type: 'clip', file: 'a.mp4', in: 0.2, out: 1.7, fit: 'pad', transition: { type: 'slideup', duration: 0.3 } },
    ],
    layers: [
      { type: 'video', file: 'leak.mp4', blend: 'screen', opacity: 0.5, start: 1, end: 4 },
      { type: 'image', file: 'logo.png', position: 'top-right', margin: 8, scale: 0.2, animation: 'fade' },
      { type: 'image', file: 'logo.png', position: 'center', scale: 0.3, animation: 'zoom', start: 2, end: 3 },
      { type: 'image', file: 'logo.png', position: 'left', scale: 0.2, animation: 'slide', opacity: 0.7, start: 3 },
      { type: 'text', text: HOSTILE, position: 'bottom', margin: 16, size: 14, stroke: { color: 'black', width: 2 }, box: { color: '#00000080', padding: 4 } },
      { type: 'text', text: 'مرحبا بالعالم\n東京の夜 ✨', position: 'center', size: 18, color: 'yellow', start: 0.5, end: 5, line_spacing: 4 },
      { type: 'border', color: 'gold', width: 4, start: 2, end: 4 },
    ],
    audio: [
      { file: 'voice.mp3', start: 0.5, fade_in: 0.2 },
      { file: 'music.mp3', volume: 0.3, loop: true, fade_out: 1 },
    ],
    effects: { contrast: 1.1, brightness: 0.02, saturation: 1.2, gamma: 0.95, speed: 1.25, pitch: 1.05, flip: true },
  });
  const paths = new Map(timelineFiles(timeline).map((file) => [file, join(dir, file)]));
  const output = join(dir, 'out.mp4');
  const compiled = await prepareRender(timeline, { paths, workDir: join(dir, 'work'), output, encoder: encoderSpec('libx264', testConfig()), ffprobe: ffprobe.path, audioBitrate: '96k', fontsDirs: [], progress: false });
  assert.equal(compiled.argv.filter((a) => a === '-filter_complex').length, 1, 'one graph');
  // Two runs of a.mp4 segments are not adjacent: three clip inputs, one still, one leak, the logo three times, two audio files.
  assert.equal(compiled.argv.filter((a) => a === '-i').length, 10);
  const r = await execa(f, compiled.argv, { reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /error/i);
  const v = await verifyAgainst(ffprobe.path, output, compiled.expect);
  assert.deepEqual(v.checks.filter((c) => !c.ok), [], JSON.stringify(v.checks));
  assert.deepEqual([compiled.expect.width, compiled.expect.height, compiled.expect.duration, compiled.expect.audio], [180, 320, 4.8, true]);
});
