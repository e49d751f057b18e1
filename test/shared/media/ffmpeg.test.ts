import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { resolveBinary } from '../../../src/shared/media/ffmpeg.js';
import { fakeFfmpeg } from '../../fake-ffmpeg.js';
import { tempDir, testConfig } from '../../helpers.js';

async function fakes(dir: string) {
  for (const sub of ['env', 'config', 'path']) {
    await mkdir(join(dir, sub));
    await fakeFfmpeg(join(dir, sub), 'version-only', { version: `ffmpeg version fake-${sub}` });
  }
}

test('FFMPEG_PATH wins over the config, which wins over PATH', async (t) => {
  const dir = await tempDir(t);
  await fakes(dir);
  const config = testConfig({ ffmpeg: { ffmpegPath: join(dir, 'config', 'ffmpeg') } });
  const env = { PATH: join(dir, 'path') };
  const fromEnv = await resolveBinary('ffmpeg', config, { ...env, FFMPEG_PATH: join(dir, 'env', 'ffmpeg') });
  assert.deepEqual([fromEnv.source, fromEnv.version], ['env', 'ffmpeg version fake-env']);
  const fromConfig = await resolveBinary('ffmpeg', config, env);
  assert.deepEqual([fromConfig.source, fromConfig.version], ['config', 'ffmpeg version fake-config']);
  const fromPath = await resolveBinary('ffmpeg', testConfig(), env);
  assert.deepEqual([fromPath.source, fromPath.path], ['path', join(dir, 'path', 'ffmpeg')]);
});

test('an explicit binary that does not run is an error, not a silent fallback', async (t) => {
  const dir = await tempDir(t);
  await fakes(dir);
  await assert.rejects(resolveBinary('ffmpeg', testConfig(), { PATH: join(dir, 'path'), FFMPEG_PATH: join(dir, 'missing') }), (err: unknown) => isClipmillError(err, 'FFMPEG_NOT_FOUND') && /FFMPEG_PATH is .*missing, which is not a runnable ffmpeg/.test((err as Error).message));
  const broken = await fakeFfmpeg(dir, 'broken', { name: 'broken' });
  await assert.rejects(resolveBinary('ffmpeg', testConfig({ ffmpeg: { ffmpegPath: broken } }), { PATH: '' }), (err: unknown) => isClipmillError(err, 'FFMPEG_NOT_FOUND') && /config ffmpeg\.ffmpegPath is .*broken/.test((err as Error).message));
});

test('ffprobe falls back to ffprobe-static when nothing else is there', async () => {
  const b = await resolveBinary('ffprobe', testConfig(), { PATH: '' });
  assert.equal(b.source, 'static');
  assert.match(b.path, /ffprobe-static/);
  assert.match(b.version, /^ffprobe version/);
});
