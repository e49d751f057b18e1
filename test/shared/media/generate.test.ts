// Media from nothing (the demo's samples, the tests' fixtures): what each generator makes,
// checked with ffprobe and, for the logo, pixel by pixel. espeak-ng is replaced by fakes on PATH.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { isClipmillError } from '../../../src/shared/errors.js';
import { makeClip, makeLogo, makeSpeech, makeTone } from '../../../src/shared/media/generate.js';
import { probe } from '../../../src/shared/media/probe.js';
import { fakeFfmpeg } from '../../fake-ffmpeg.js';
import { binaries, tempDir, writeScript } from '../../helpers.js';

const near = (actual: number, expected: number, tolerance: number, what: string) => assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);

/** Runs `fn` with PATH set to `path` (execa looks espeak-ng up on it). */
async function withPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = path;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

test('makeClip: H.264 yuv420p MP4 at the size and rate asked, no audio; a source with options takes ":"', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg, ffprobe } = await binaries();
  await makeClip(ffmpeg.path, join(dir, 'a.mp4'), { source: 'testsrc2', width: 160, height: 90, fps: 30, seconds: 1 });
  await makeClip(ffmpeg.path, join(dir, 'b.mp4'), { source: 'gradients=speed=0.03', width: 96, height: 64, fps: 25, seconds: 0.8 });
  for (const [name, w, h, fps, seconds] of [['a.mp4', 160, 90, 30, 1], ['b.mp4', 96, 64, 25, 0.8]] as const) {
    const info = await probe(ffprobe.path, join(dir, name));
    assert.match(info.formatName, /mp4/);
    assert.deepEqual([info.video?.codec, info.video?.pixFmt, info.video?.width, info.video?.height, info.video?.fps], ['h264', 'yuv420p', w, h, fps], name);
    assert.equal(info.audio, null, name);
    near(info.duration, seconds, 0.05, name);
  }
});

test('makeTone: an MP3 of the given length and sample rate (44.1 kHz by default)', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg, ffprobe } = await binaries();
  await makeTone(ffmpeg.path, join(dir, 'music.mp3'), { seconds: 2, freqs: [220, 277.18] });
  await makeTone(ffmpeg.path, join(dir, 'voice.mp3'), { seconds: 1, freqs: [440], sampleRate: 22050 });
  const music = await probe(ffprobe.path, join(dir, 'music.mp3'));
  assert.deepEqual([music.formatName, music.video, music.audio?.codec, music.audio?.sampleRate, music.audio?.channels], ['mp3', null, 'mp3', 44100, 1]);
  near(music.duration, 2, 0.1, 'music');
  const voice = await probe(ffprobe.path, join(dir, 'voice.mp3'));
  assert.equal(voice.audio?.sampleRate, 22050);
  near(voice.duration, 1, 0.1, 'voice');
});

test('makeLogo: a round RGBA PNG: opaque orange core, translucent blue ring, transparent corners', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg } = await binaries();
  const png = join(dir, 'logo.png');
  await makeLogo(ffmpeg.path, png, 64);
  assert.deepEqual([...(await readFile(png)).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  const raw = (await execa(ffmpeg.path, ['-v', 'error', '-i', png, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { encoding: 'buffer' })).stdout;
  assert.equal(raw.length, 64 * 64 * 4, '64x64');
  const px = (x: number, y: number) => [...raw.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 4)];
  // Radius 32: the core within 0.62 r (19.8 px) of the centre, the disc within 0.92 r (29.4 px).
  assert.deepEqual(px(32, 32), [255, 190, 40, 235]);
  assert.deepEqual(px(32, 8), [40, 120, 220, 235], '24 px from the centre: the ring');
  assert.equal(px(0, 0)[3], 0, 'corner: transparent');
  assert.equal(px(63, 32)[3], 0, '31 px from the centre: outside the disc');
});

test('makeSpeech: espeak-ng writes a WAV, which becomes the MP3; its temporary WAV is the caller\'s', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg, ffprobe } = await binaries();
  const bin = join(dir, 'bin');
  await mkdir(bin);
  // A stand-in espeak-ng: records its argv, writes 1.5 s of tone where -w says.
  await writeScript(join(bin, 'espeak-ng'), `printf '%s\\n' "$@" > '${dir}/espeak-argv.txt'\nexec '${ffmpeg.path}' -v error -y -f lavfi -i sine=d=1.5 "$6"`);
  await withPath(`${bin}:${process.env.PATH}`, () => makeSpeech(ffmpeg.path, join(dir, 'voice.mp3'), 'Once upon a time.', join(dir, 'tmp.wav')));
  assert.deepEqual((await readFile(join(dir, 'espeak-argv.txt'), 'utf8')).split('\n').slice(0, -1), ['-v', 'en-us', '-s', '150', '-w', join(dir, 'tmp.wav'), 'Once upon a time.']);
  const info = await probe(ffprobe.path, join(dir, 'voice.mp3'));
  assert.deepEqual([info.formatName, info.audio?.codec], ['mp3', 'mp3']);
  near(info.duration, 1.5, 0.1, 'voice');
  assert.deepEqual((await readdir(dir)).sort(), ['bin', 'espeak-argv.txt', 'tmp.wav', 'voice.mp3']);
});

test('makeSpeech: no espeak-ng, or a failing one, is RENDER_FAILED saying which', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg } = await binaries();
  const out = join(dir, 'voice.mp3');
  await assert.rejects(
    withPath(join(dir, 'empty'), () => makeSpeech(ffmpeg.path, out, 'text', join(dir, 'tmp.wav'))),
    (err: unknown) => isClipmillError(err, 'RENDER_FAILED') && err.message === "espeak-ng is not installed; 'npm run demo' installs it, or: apt-get install espeak-ng",
  );
  await writeScript(join(dir, 'espeak-ng'), "echo 'voice en-us not found' >&2\nexit 1");
  await assert.rejects(
    withPath(dir, () => makeSpeech(ffmpeg.path, out, 'text', join(dir, 'tmp.wav'))),
    (err: unknown) => isClipmillError(err, 'RENDER_FAILED') && err.message === 'espeak-ng failed: voice en-us not found',
  );
  assert.deepEqual((await readdir(dir)).sort(), ['espeak-ng'], 'nothing written');
});

test('a generator whose ffmpeg fails: RENDER_FAILED with ffmpeg\'s last line', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg } = await binaries();
  await assert.rejects(makeClip(ffmpeg.path, join(dir, 'x.mp4'), { source: 'nosuchsource', width: 16, height: 16, fps: 1, seconds: 1 }), (err: unknown) => isClipmillError(err, 'RENDER_FAILED') && /^ffmpeg could not generate sample media: \S.*$/.test(err.message));
});

test('a generator whose ffmpeg fails without a word: the message names the exit code', async (t) => {
  const broken = await fakeFfmpeg(await tempDir(t), 'broken');
  await assert.rejects(makeTone(broken, join(await tempDir(t), 'x.mp3'), { seconds: 1, freqs: [440] }), (err: unknown) => isClipmillError(err, 'RENDER_FAILED') && /sample media: .*\b3$/.test(err.message));
});
