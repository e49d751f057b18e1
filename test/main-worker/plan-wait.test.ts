import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { MainWorker } from '../../src/main-worker/index.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { parseMetadata } from '../../src/shared/task.js';
import { execa } from 'execa';
import { FIXTURES } from '../media.js';
import { binaries, tempDir, testConfig, visible } from '../helpers.js';

test('a task is planned from the whole drop, not from the clips that happened to be filed first', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const dir = join(layout.raw, 'video', 'c');
  await mkdir(dir, { recursive: true });
  const { ffmpeg } = await binaries();
  await FIXTURES.clip(join(dir, 'ready.mp4'), 1, '320x180');
  // Three clips that need conforming (25 fps) into the same class.
  for (const n of [1, 2, 3]) await execa(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=25`, '-t', '1.2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', join(dir, `pal${n}.mp4`)]);
  await mkdir(join(layout.raw, 'music', 'c'), { recursive: true });
  await FIXTURES.musicMp3(join(layout.raw, 'music', 'c', 'm.mp3'));
  await mkdir(join(layout.raw, 'story', 'c', 's', 'voice'), { recursive: true });
  await FIXTURES.voice(join(layout.raw, 'story', 'c', 's', 'voice', 'chapter_0001.mp3'), 4.5);
  const config = testConfig({ ingest: { stableMs: 0 }, render: { resolution: '320x180' } });
  const totals = await new MainWorker({ config, layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: await binaries() }).runOnce();
  assert.equal(totals.tasksCreated, 1);
  const [id] = await visible(layout.tasks);
  const meta = parseMetadata(await readFile(join(layout.task(id!), 'metadata.json'), 'utf8'));
  assert.equal(new Set(meta.video_files.map((c) => c.path)).size, 4, 'all four clips are in the plan');
});
