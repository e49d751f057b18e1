// Faults: huge frames, overlong media, a hostile file's memory (issue "faults", items 4 and 5).
// Each limit is a config key with a reject code; checks that would decode are not started.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES } from '../media.js';
import { binaries, cli, tempDir, walk } from '../helpers.js';

const ENV = { CLIPMILL_INGEST_STABLE_MS: '0' };
const reasonOf = async (root: string, rel: string) => JSON.parse(await readFile(join(root, 'trash/invalid', `${rel}.reason.json`), 'utf8')) as { code: string; message: string };

async function hugeClip(path: string): Promise<void> {
  // One second of 8192x8192 frames: about 200 KB, gigabytes to decode.
  execFileSync((await binaries()).ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=blue:s=8192x8192:r=1:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', path]);
}

test('an 8192x8192 clip is FRAME_TOO_LARGE, too-long footage and music TOO_LONG, all refused before decoding', async (t) => {
  const root = join(await tempDir(t), 'root');
  await cli(['init', root]);
  for (const d of ['raw/video/c', 'raw/music/c']) await mkdir(join(root, d), { recursive: true });
  await hugeClip(join(root, 'raw/video/c/huge.mp4'));
  await FIXTURES.clip(join(root, 'raw/video/c/long.mp4'), 3);
  await FIXTURES.musicMp3(join(root, 'raw/music/c/long.mp3'), 12);
  const r = await cli(['main-worker', '--once', '--root', root], { ...ENV, CLIPMILL_INGEST_FOOTAGE_MAX_SECONDS: '2', CLIPMILL_INGEST_MUSIC_MAX_SECONDS: '10' });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await walk(join(root, 'raw')), []);
  const huge = await reasonOf(root, 'video/c/huge.mp4');
  assert.equal(huge.code, 'FRAME_TOO_LARGE');
  assert.match(huge.message, /8192x8192, larger than ingest\.maxFrameSize \(4096\)/);
  assert.equal((await reasonOf(root, 'video/c/long.mp4')).code, 'TOO_LONG');
  const music = await reasonOf(root, 'music/c/long.mp3');
  assert.equal(music.code, 'TOO_LONG');
  assert.match(music.message, /more than ingest\.musicMaxSeconds \(10 s\)/);
});

test('ingest children run under RLIMIT_AS: a hostile file that needs more is left in raw/ (OUT_OF_MEMORY), not rejected, and the node survives', async (t) => {
  const root = join(await tempDir(t), 'root');
  await cli(['init', root]);
  await mkdir(join(root, 'raw/video/c'), { recursive: true });
  await hugeClip(join(root, 'raw/video/c/huge.mp4'));
  // Past the frame-size check on purpose, to reach the decoder under a 300 MB limit.
  const r = await cli(['main-worker', '--once', '--root', root], { ...ENV, CLIPMILL_INGEST_MAX_FRAME_SIZE: '8192', CLIPMILL_INGEST_MEMORY_LIMIT_MB: '300' });
  assert.equal(r.exitCode, 1, 'an error (the machine\'s), not a reject');
  assert.deepEqual((await walk(join(root, 'raw'))).map((p) => p.split('/').pop()), ['huge.mp4'], 'left where it was');
  assert.deepEqual(await walk(join(root, 'trash/invalid')), []);
  assert.match(r.stderr, /code=OUT_OF_MEMORY/);
});
