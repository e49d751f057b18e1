// Fault: a VBR MP3 without a Xing header lies about its length (issue "faults", item 3). The
// voice is judged by what decodes: too long is refused; within the limits it is re-encoded with
// a true header, and the task and its video last as long as the narration.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { probe } from '../../src/shared/media/probe.js';
import { FIXTURES } from '../media.js';
import { binaries, cli, tempDir, visible, walk } from '../helpers.js';

const ENV = { CLIPMILL_INGEST_STABLE_MS: '0', CLIPMILL_INGEST_VOICE_MAX_SECONDS: '60', CLIPMILL_RENDER_RESOLUTION: '160x90', CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_DISK_MIN_FREE_MB: '0', CLIPMILL_TASKS_VARIATIONS_PER_VOICE: '1' };

test('a voice whose header says 2.5 s but which decodes to 10 s: re-encoded, planned and rendered at 10 s; one that decodes past voiceMaxSeconds (60) is TOO_LONG', async (t) => {
  const root = join(await tempDir(t), 'root');
  await cli(['init', root]);
  for (const d of ['raw/video/c', 'raw/music/c', 'raw/story/c/s/voice']) await mkdir(join(root, d), { recursive: true });
  await FIXTURES.clip(join(root, 'raw/video/c/a.mp4'), 3);
  await FIXTURES.musicMp3(join(root, 'raw/music/c/m.mp3'));
  await FIXTURES.lyingMp3(join(root, 'raw/story/c/s/voice/chapter_0001.mp3'), 2, 8);
  await FIXTURES.lyingMp3(join(root, 'raw/story/c/s/voice/chapter_0002.mp3'), 2, 69);
  const { ffprobe } = await binaries();
  assert.ok((await probe(ffprobe.path, join(root, 'raw/story/c/s/voice/chapter_0001.mp3'))).duration < 3, 'the fixture lies');
  const main = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(main.exitCode, 0, main.stderr);
  assert.deepEqual(await walk(join(root, 'raw')), []);
  // 71 s decoded, ingest.voiceMaxSeconds 60: refused, although its header says about 5.5 s.
  const reason = JSON.parse(await readFile(join(root, 'trash/invalid/story/c/s/voice/chapter_0002.mp3.reason.json'), 'utf8')) as { code: string; details: { decoded_seconds: number } };
  assert.equal(reason.code, 'TOO_LONG');
  assert.ok(Math.abs(reason.details.decoded_seconds - 71) < 0.2);
  // 10 s decoded: the original kept, the scanned voice re-encoded with a true header.
  assert.deepEqual(await visible(join(root, 'scanned/story/c/s/voice/original')), ['chapter_0001.mp3', 'chapter_0001.mp3.source.json']);
  const scanned = await probe(ffprobe.path, join(root, 'scanned/story/c/s/voice/chapter_0001.mp3'));
  assert.ok(Math.abs(scanned.duration - 10) < 0.15, `scanned voice ${scanned.duration} s`);
  const [id] = await visible(join(root, 'tasks'));
  const meta = JSON.parse(await readFile(join(root, 'tasks', id!, 'metadata.json'), 'utf8')) as { voice_duration: number };
  assert.ok(Math.abs(meta.voice_duration - 10) < 0.15, `planned for ${meta.voice_duration} s`);
  const render = await cli(['render-worker', '--once', '--root', root], ENV);
  assert.equal(render.exitCode, 0, render.stderr);
  const out = await probe(ffprobe.path, join(root, 'output', id!, 'final.mp4'));
  assert.ok(Math.abs(out.duration - meta.voice_duration) < 0.1, `the video lasts ${out.duration} s`);
});

test('a lying voice dropped again under a name already filed is a DUPLICATE, not swallowed', async (t) => {
  const root = join(await tempDir(t), 'root');
  await cli(['init', root]);
  await mkdir(join(root, 'raw/story/c/s/voice'), { recursive: true });
  await FIXTURES.lyingMp3(join(root, 'raw/story/c/s/voice/chapter_0001.mp3'), 2, 6);
  assert.equal((await cli(['main-worker', '--once', '--root', root], ENV)).exitCode, 0);
  // Re-recorded, the header lying again: the name is taken in scanned/ (immutable).
  await FIXTURES.lyingMp3(join(root, 'raw/story/c/s/voice/chapter_0001.mp3'), 2, 7);
  assert.equal((await cli(['main-worker', '--once', '--root', root], ENV)).exitCode, 0);
  const reason = JSON.parse(await readFile(join(root, 'trash/invalid/story/c/s/voice/chapter_0001.mp3.reason.json'), 'utf8')) as { code: string };
  assert.equal(reason.code, 'DUPLICATE');
  assert.deepEqual(await walk(join(root, 'raw')), []);
});
