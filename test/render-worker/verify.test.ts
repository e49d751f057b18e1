// Verification before publishing, against real tiny renders: streams, duration within a
// frame, size and frame rate; each failed check says what was expected and what was found.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { execa } from 'execa';
import { verifyOutput, type Check } from '../../src/render-worker/verify.js';
import { isClipmillError } from '../../src/shared/errors.js';
import type { Expectation } from '../../src/shared/timeline/compile.js';
import { FIXTURES } from '../media.js';
import { binaries, tempDir } from '../helpers.js';

let dir: string;
/** A 2 s render as the render worker makes them: 160x90, 30 fps, H.264 and AAC. */
let render: string;
let ffprobe: string;

// One render shared by every test of the file, in a folder of its own (made once: it is the
// slow part, and no test changes it); what a test makes goes into its own tempDir.
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipmill-verify-'));
  const bins = await binaries();
  ffprobe = bins.ffprobe.path;
  render = join(dir, 'final.mp4');
  await execa(bins.ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=30', '-f', 'lavfi', '-i', 'sine=f=440:r=44100', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'mp4', render]);
});
test.after(() => rm(dir, { recursive: true, force: true }));

function meta(duration = 2, resolution = '160x90', fps = 30, audio = true): Expectation {
  const [width, height] = resolution.split('x').map(Number) as [number, number];
  return { width, height, fps, duration, audio };
}

const byName = (checks: Check[], name: string) => checks.find((c) => c.name === name);

test('a render that keeps every promise: ok, each check with what was expected and found', async () => {
  assert.deepEqual(await verifyOutput(ffprobe, render, meta()), {
    ok: true,
    checks: [
      { name: 'video_stream', ok: true, expected: 'present', actual: 'h264' },
      { name: 'audio_stream', ok: true, expected: 'present', actual: 'aac' },
      { name: 'duration', ok: true, expected: '2.000 s ± 0.033', actual: '2.000 s' },
      { name: 'size', ok: true, expected: '160x90', actual: '160x90' },
      { name: 'frame_rate', ok: true, expected: '30', actual: '30.000' },
    ],
  });
});

test('the wrong size fails the size check only', async () => {
  const v = await verifyOutput(ffprobe, render, meta(2, '320x180'));
  assert.equal(v.ok, false);
  assert.deepEqual(v.checks.filter((c) => !c.ok), [{ name: 'size', ok: false, expected: '320x180', actual: '160x90' }]);
});

test('the wrong frame rate fails the frame rate check (the duration tolerance is one frame of the expected rate)', async () => {
  const v = await verifyOutput(ffprobe, render, meta(2, '160x90', 25));
  assert.equal(v.ok, false);
  assert.deepEqual(v.checks.filter((c) => !c.ok), [{ name: 'frame_rate', ok: false, expected: '25', actual: '30.000' }]);
  assert.deepEqual(byName(v.checks, 'duration'), { name: 'duration', ok: true, expected: '2.000 s ± 0.040', actual: '2.000 s' });
});

test('the duration: within one frame (plus a millisecond) of the voice passes, beyond it fails', async () => {
  // One frame at 30 fps is 0.0333 s; with the millisecond, 0.0343 s.
  assert.equal((await verifyOutput(ffprobe, render, meta(2.034))).ok, true);
  assert.equal((await verifyOutput(ffprobe, render, meta(1.966))).ok, true);
  const long = await verifyOutput(ffprobe, render, meta(2.035));
  assert.deepEqual(long.checks.filter((c) => !c.ok), [{ name: 'duration', ok: false, expected: '2.035 s ± 0.033', actual: '2.000 s' }]);
  const short = await verifyOutput(ffprobe, render, meta(2.5));
  assert.deepEqual(short.checks.filter((c) => !c.ok), [{ name: 'duration', ok: false, expected: '2.500 s ± 0.033', actual: '2.000 s' }]);
});

test('a missing stream fails its check: video without audio, audio without video', async (t) => {
  const mine = await tempDir(t);
  const silent = join(mine, 'silent.mp4');
  await FIXTURES.clip(silent, 2);
  const v = await verifyOutput(ffprobe, silent, meta());
  assert.deepEqual(v.checks.filter((c) => !c.ok), [{ name: 'audio_stream', ok: false, expected: 'present', actual: 'absent' }]);
  const voice = join(mine, 'voice.mp3');
  await FIXTURES.voice(voice, 2);
  const a = await verifyOutput(ffprobe, voice, meta(2, '160x90', 30));
  assert.equal(a.ok, false);
  // (Its duration is the container's, MP3 encoder padding included: not what this case is about.)
  assert.deepEqual(
    a.checks.filter((c) => !c.ok && c.name !== 'duration').map((c) => [c.name, c.actual]),
    [['video_stream', 'absent'], ['size', 'none'], ['frame_rate', 'unknown']],
  );
});

test('a file that is not media: PROBE_FAILED, not a verification', async (t) => {
  const junk = join(await tempDir(t), 'junk.mp4');
  await writeFile(junk, 'not a video');
  await assert.rejects(verifyOutput(ffprobe, junk, meta()), (err: unknown) => isClipmillError(err, 'PROBE_FAILED'));
});
