// The spec's chain with no person in it: a story link is crawled into text, the text is voiced
// by espeak-ng (narration.fromStories) with its word timings, the voice becomes a voice-over
// task whose timeline carries captions, and a render worker renders it with captions.srt and
// captions.vtt beside final.mp4. Only the link, footage and music are dropped into raw/.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeClip, makeTone } from '../../src/shared/media/generate.js';
import { probe } from '../../src/shared/media/probe.js';
import { parseMetadata } from '../../src/shared/task.js';
import { readWords } from '../../src/shared/words.js';
import { startServer } from '../crawl-server.js';
import { binaries, cli, tempDir, visible } from '../helpers.js';

const ENV = {
  CLIPMILL_INGEST_STABLE_MS: '100',
  CLIPMILL_INGEST_MUSIC_MIN_SECONDS: '1',
  CLIPMILL_RENDER_RESOLUTION: '160x90',
  CLIPMILL_RENDER_ENCODERS: 'libx264',
  CLIPMILL_DISK_MIN_FREE_MB: '0',
  CLIPMILL_CRAWL_ALLOW_PRIVATE_NETWORKS: '1',
  CLIPMILL_NARRATION_FROM_STORIES: '1',
  // Fast speech keeps the video short.
  CLIPMILL_NARRATION_ESPEAK_RATE: '450',
};

test('a crawled story becomes a rendered, captioned video with no voice dropped by hand', async (t) => {
  const dir = await tempDir(t);
  const server = await startServer();
  t.after(() => server.close());
  const root = join(dir, 'root');
  assert.equal((await cli(['init', root])).exitCode, 0);
  const { ffmpeg, ffprobe } = await binaries();
  await mkdir(join(root, 'raw/video/tales'), { recursive: true });
  await mkdir(join(root, 'raw/music/tales'), { recursive: true });
  await mkdir(join(root, 'raw/story/tales/keeper/link'), { recursive: true });
  await makeClip(ffmpeg.path, join(dir, 'clip.mp4'), { source: 'testsrc2', width: 160, height: 90, fps: 30, seconds: 2 });
  await makeTone(ffmpeg.path, join(dir, 'bed.mp3'), { seconds: 3, freqs: [220, 330] });
  const { rename } = await import('node:fs/promises');
  await rename(join(dir, 'clip.mp4'), join(root, 'raw/video/tales/clip.mp4'));
  await rename(join(dir, 'bed.mp3'), join(root, 'raw/music/tales/bed.mp3'));
  await writeFile(join(root, 'raw/story/tales/keeper/link/a.txt'), `${server.url}/article\n`);

  const main = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(main.exitCode, 0, main.stderr);
  const voiceDir = join(root, 'scanned/story/tales/keeper/voice');
  assert.deepEqual(await visible(voiceDir), ['chapter_0001.mp3', 'chapter_0001.mp3.json', 'chapter_0001.mp3.words.json']);
  const words = await readWords(join(voiceDir, 'chapter_0001.mp3.words.json'));
  assert.equal(words.source, 'espeak-ng');
  assert.equal(words.words[0]!.word, 'The');

  const [task] = await visible(join(root, 'tasks'));
  assert.ok(task, 'a voice-over task for the synthesized voice');
  const meta = parseMetadata(await readFile(join(root, 'tasks', task, 'metadata.json'), 'utf8'));
  assert.equal(meta.voice_source, 'scanned/story/tales/keeper/voice/chapter_0001.mp3');
  assert.deepEqual(meta.timeline!.layers.filter((l) => l.type === 'captions').map((l) => l.type === 'captions' && [l.words, l.style]), [['scanned/story/tales/keeper/voice/chapter_0001.mp3.words.json', 'line']]);

  const render = await cli(['render-worker', '--once', '--root', root], ENV);
  assert.equal(render.exitCode, 0, render.stderr);
  const out = join(root, 'output', task);
  assert.deepEqual((await visible(out)).filter((n) => /^(final\.mp4|captions\.(srt|vtt))$/.test(n)), ['captions.srt', 'captions.vtt', 'final.mp4']);
  const srt = await readFile(join(out, 'captions.srt'), 'utf8');
  assert.match(srt, /^1\n00:00:00,\d{3} --> 00:00:\d\d,\d{3}\nThe storm had been building/);
  assert.ok((await readFile(join(out, 'captions.vtt'), 'utf8')).startsWith('WEBVTT\n\n'));
  const info = await probe(ffprobe.path, join(out, 'final.mp4'));
  assert.ok(Math.abs(info.duration - meta.voice_duration) < 0.2, `${info.duration} s for a ${meta.voice_duration} s voice`);
});
