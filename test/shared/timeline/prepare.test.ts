// prepareRender's own work: the picture sizes of the clips (runs of clips share a decoder only
// when their sizes match), and the aux files written where the argv reads them.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { makeClip } from '../../../src/shared/media/generate.js';
import { clipSources, prepareRender } from '../../../src/shared/timeline/prepare.js';
import { TimelineSchema } from '../../../src/shared/timeline/schema.js';
import { binaries, tempDir, testConfig } from '../../helpers.js';

test('clip sizes are probed once per file (a clip that is not media is named); clips of another size start a run of their own; the lists are written', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg, ffprobe } = await binaries();
  await makeClip(ffmpeg.path, join(dir, 'small.mp4'), { source: 'testsrc2', width: 160, height: 90, fps: 30, seconds: 1 });
  await makeClip(ffmpeg.path, join(dir, 'big.mp4'), { source: 'testsrc2', width: 320, height: 180, fps: 30, seconds: 1 });
  await writeFile(join(dir, 'junk.mp4'), 'not a video');
  const timeline = TimelineSchema.parse({
    output: { width: 160, height: 90, fps: 30, duration: 3 },
    video: ['small.mp4', 'small.mp4', 'big.mp4'].map((file) => ({ type: 'clip', file, out: 1 })),
  });
  const paths = new Map(['small.mp4', 'big.mp4', 'junk.mp4'].map((f) => [f, join(dir, f)]));
  const sources = await clipSources(timeline, paths, ffprobe.path);
  assert.deepEqual([...sources].sort(), [['big.mp4', { width: 320, height: 180 }], ['small.mp4', { width: 160, height: 90 }]]);
  // A clip that is not media is named before ffmpeg starts.
  const withJunk = TimelineSchema.parse({ ...timeline, video: [...timeline.video, { type: 'clip', file: 'junk.mp4', out: 1 }] });
  await assert.rejects(clipSources(withJunk, paths, ffprobe.path), (e: unknown) => isClipmillError(e, 'PROBE_FAILED') && e.details.file === join(dir, 'junk.mp4'));

  const work = join(dir, 'work');
  const compiled = await prepareRender(timeline, { paths, workDir: work, output: join(dir, 'out.mp4'), encoder: encoderSpec('libx264', testConfig()), ffprobe: ffprobe.path, audioBitrate: '96k', fontsDirs: [], progress: false });
  const lists = compiled.argv.filter((_a, i) => compiled.argv[i - 1] === '-i');
  assert.equal(lists.length, 2, 'two runs: the small clips together, the big one alone');
  assert.equal(await readFile(lists[0]!, 'utf8'), `ffconcat version 1.0\nfile '${join(dir, 'small.mp4')}'\noutpoint 1\nfile '${join(dir, 'small.mp4')}'\noutpoint 1\n`);
  assert.equal(await readFile(lists[1]!, 'utf8'), `ffconcat version 1.0\nfile '${join(dir, 'big.mp4')}'\noutpoint 1\n`);
  assert.deepEqual(compiled.expect, { width: 160, height: 90, fps: 30, duration: 3, audio: false });
});
