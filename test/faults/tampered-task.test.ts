// Fault: task folders edited by hand (issue "faults", item 7). A render worker treats them as
// untrusted input: a path out of the root, a link out of it, a FIFO: each task fails at claim
// with TASK_INVALID, nothing outside the root is read, and the worker neither hangs nor stays.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES } from '../media.js';
import { cli, tempDir, visible, walk } from '../helpers.js';

const ENV = { CLIPMILL_INGEST_STABLE_MS: '0', CLIPMILL_RENDER_RESOLUTION: '160x90', CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_DISK_MIN_FREE_MB: '0', CLIPMILL_TASKS_VARIATIONS_PER_VOICE: '1' };

test('tampered tasks (a path up to /etc/passwd, a voice linked out of the root, a FIFO) fail at claim; the worker exits', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  for (const d of ['raw/video/c', 'raw/music/c', 'raw/story/c/s1/voice', 'raw/story/c/s2/voice', 'raw/story/c/s3/voice']) await mkdir(join(root, d), { recursive: true });
  await FIXTURES.clip(join(root, 'raw/video/c/a.mp4'), 1.5);
  await FIXTURES.musicMp3(join(root, 'raw/music/c/m.mp3'));
  await FIXTURES.voice(join(dir, 'v.mp3'), 1.2);
  for (const s of ['s1', 's2', 's3']) await copyFile(join(dir, 'v.mp3'), join(root, `raw/story/c/${s}/voice/chapter_0001.mp3`));
  assert.equal((await cli(['main-worker', '--once', '--root', root], ENV)).exitCode, 0);
  const ids = await visible(join(root, 'tasks'));
  assert.equal(ids.length, 3);
  const [a, b, c] = ids.map((id) => join(root, 'tasks', id));
  const meta = JSON.parse(await readFile(join(a!, 'metadata.json'), 'utf8')) as { video_files: { path: string }[]; timeline: { video: { file: string }[] } };
  meta.video_files[0]!.path = '../../../../etc/passwd';
  meta.timeline.video[0]!.file = '../../../../etc/passwd';
  await writeFile(join(a!, 'metadata.json'), JSON.stringify(meta));
  await rm(join(b!, 'voice.mp3'));
  await symlink('/etc/hostname', join(b!, 'voice.mp3'));
  await rm(join(c!, 'voice.mp3'));
  execFileSync('mkfifo', [join(c!, 'voice.mp3')]);
  // A FIFO used to hang the download forever (and then even the forced exit): 60 s is plenty.
  const r = await cli(['render-worker', '--once', '--root', root], { ...ENV, CLIPMILL_RENDER_SCRATCH_DIR: join(dir, 'scratch') }, { timeout: 60_000 });
  assert.equal(r.timedOut, false);
  assert.equal(r.exitCode, 1, 'failed tasks');
  assert.deepEqual(await visible(join(root, 'trash/failed')), [...ids].sort());
  for (const id of ids) {
    const error = JSON.parse(await readFile(join(root, 'trash/failed', id, 'error.json'), 'utf8')) as { code: string; stage: string; message: string };
    assert.deepEqual([error.code, error.stage], ['TASK_INVALID', 'claim'], error.message);
  }
  assert.deepEqual(await walk(join(dir, 'scratch')), [], 'nothing was copied');
});
