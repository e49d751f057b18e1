// Between a timeline with local files and ffmpeg: the clips' picture sizes (runs split where
// they differ), the lengths of the audio files that end their tracks (the fade-out ends with
// the file), the argv compiled, and its files written into the work folder (made if missing).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { audioDurations, clipSources, prepareRender } from '../../../src/shared/timeline/prepare.js';
import { binaries, testConfig } from '../../helpers.js';
import { colorName, makeMedia, MEDIA, pixelTrack, rmsDb, runFfmpeg, runs, samples, timeline, TONE_DB } from './render-media.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipmill-prepare-'));
  await makeMedia(dir);
  // A white clip twice the size of MEDIA's.
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=white:s=320x180:r=25', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(dir, 'big.mp4')]);
});
after(() => rm(dir, { recursive: true, force: true }));

test('clipSources and audioDurations probe what the compiler needs, each file once', async () => {
  const { ffprobe } = await binaries();
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 3 },
    video: [
      { type: 'clip', file: MEDIA.halves, out: 1 },
      { type: 'clip', file: 'big.mp4', out: 1 },
      { type: 'clip', file: MEDIA.halves, in: 0.5, out: 1 },
      { type: 'still', file: MEDIA.red, duration: 0.5 },
      { type: 'clip', file: 'elsewhere.mp4', out: 1 },
    ],
    audio: [{ file: MEDIA.a440 }, { file: MEDIA.b1000, loop: true }, { file: MEDIA.a440long, out: 2 }, { file: MEDIA.a440, start: 1 }],
  });
  const paths = new Map([MEDIA.halves, 'big.mp4', MEDIA.red, MEDIA.a440, MEDIA.b1000, MEDIA.a440long].map((f) => [f, join(dir, f)]));
  assert.deepEqual(await clipSources(tl, paths, ffprobe.path), new Map([[MEDIA.halves, { width: 160, height: 90 }], ['big.mp4', { width: 320, height: 180 }]]));
  const durations = await audioDurations(tl, paths, ffprobe.path);
  // Only the track that lasts as long as its file: not the looped one, not the one with an out point.
  assert.deepEqual([...durations.keys()], [MEDIA.a440]);
  assert.ok(Math.abs(durations.get(MEDIA.a440)! - 1) < 0.01, `${durations.get(MEDIA.a440)}`);
});

test('prepareRender: runs split by picture size, the files written where the argv reads them, a fade-out that ends with its file', async () => {
  const { ffprobe } = await binaries();
  const tl = timeline({
    output: { width: 160, height: 90, fps: 30, duration: 2, quality: 'draft' },
    video: [
      { type: 'clip', file: MEDIA.halves, out: 1 },
      { type: 'clip', file: 'big.mp4', out: 1 },
    ],
    // A 1 s file from 0.5 s: it ends at 1.5 s, faded out from 1 s (not from 1.5 s, where the video ends).
    audio: [{ file: MEDIA.a440, start: 0.5, fade_out: 0.5 }],
  });
  const workDir = join(dir, 'work', 'not-yet');
  const output = join(dir, 'out.mp4');
  const paths = new Map([MEDIA.halves, 'big.mp4', MEDIA.a440].map((f) => [f, join(dir, f)]));
  const compiled = await prepareRender(tl, { paths, workDir, output, encoder: encoderSpec('libx264', testConfig()), ffprobe: ffprobe.path, audioBitrate: '128k', fontsDirs: [], progress: false });
  assert.deepEqual(compiled.files.map((f) => f.path), [join(workDir, 'run-1.ffconcat'), join(workDir, 'run-2.ffconcat')]);
  for (const f of compiled.files) assert.equal(await readFile(f.path, 'utf8'), f.content);
  assert.match(compiled.argv[compiled.argv.indexOf('-filter_complex') + 1]!, /atrim=duration=1,afade=t=out:st=0\.5:d=0\.5,adelay=delays=500:all=1/);
  await runFfmpeg(compiled.argv);
  assert.equal(runs((await pixelTrack(output, 10, 45)).map(colorName)), 'red x30, white x30');
  const [left] = await samples(output);
  const at = (a: number, b: number) => rmsDb(left!.subarray(a * 48000, b * 48000));
  assert.ok(Math.abs(at(0.6, 0.9) - TONE_DB) < 0.7, `before the fade: ${at(0.6, 0.9)}`);
  assert.ok(at(1.4, 1.48) < TONE_DB - 15, `the end of the fade, where the file ends: ${at(1.4, 1.48)}`);
  assert.ok(at(1.6, 2) < -60, 'silence after the file');
});

test('a clip that is not media is named before ffmpeg starts (PROBE_FAILED with the file)', async () => {
  const { ffprobe } = await binaries();
  const junk = join(dir, 'junk.mp4');
  await writeFile(junk, 'not a video');
  const tl = timeline({ output: { width: 160, height: 90, fps: 30, duration: 2 }, video: [{ type: 'clip', file: MEDIA.halves, out: 1 }, { type: 'clip', file: 'junk.mp4', out: 1 }] });
  const paths = new Map([MEDIA.halves, 'junk.mp4'].map((f) => [f, join(dir, f)]));
  await assert.rejects(clipSources(tl, paths, ffprobe.path), (e: unknown) => isClipmillError(e, 'PROBE_FAILED') && e.details.file === junk);
});
