import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkTimeoutMs, headerLies, parseDecodedSeconds, parseLoudnorm, parseMaxVolume, peakAndLength } from '../../../src/shared/media/audio.js';
import { probe } from '../../../src/shared/media/probe.js';
import { binaries, tempDir } from '../../helpers.js';

test('parsers: the last report\'s time, volumedetect\'s max_volume, loudnorm\'s JSON', () => {
  assert.equal(parseDecodedSeconds('size=N/A time=00:00:02.00 bitrate=N/A\nsize=N/A time=00:01:11.09 bitrate=N/A speed=2.6e+03x'), 71.09);
  assert.equal(parseDecodedSeconds('time=01:00:00.50'), 3600.5);
  assert.equal(parseDecodedSeconds('nothing'), null);
  assert.equal(parseMaxVolume('[Parsed_volumedetect_0 @ 0x1] max_volume: -3.2 dB'), -3.2);
  assert.equal(parseMaxVolume('max_volume: -inf dB'), Number.NEGATIVE_INFINITY);
  assert.equal(parseLoudnorm('x\n{\n"input_i" : "-23.01", "input_tp" : "-1.0", "input_lra" : "2.0", "input_thresh" : "-33.0", "target_offset" : "0.1"\n}').inputI, -23.01);
  assert.equal(headerLies(5.5, 71.09), true);
  assert.equal(headerLies(71, 71.09), false);
  assert.equal(headerLies(2.04, 2), false, 'a short file\'s padding is not a lie');
  assert.equal(checkTimeoutMs(3600), 30_000 + 360_000);
});

test('a VBR MP3 without a Xing header: the header says 5.5 s, decoding says 71 s', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg, ffprobe } = await binaries();
  const mp3 = (out: string, args: string[]) => execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', ...args, '-c:a', 'libmp3lame', '-write_xing', '0', out]);
  mp3(join(dir, 'hi.mp3'), ['-i', 'sine=f=440:d=2', '-b:a', '160k']);
  mp3(join(dir, 'lo.mp3'), ['-i', 'sine=f=300:d=69', '-ar', '8000', '-b:a', '8k']);
  await writeFile(join(dir, 'v.mp3'), Buffer.concat([await readFile(join(dir, 'hi.mp3')), await readFile(join(dir, 'lo.mp3'))]));
  const header = (await probe(ffprobe.path, join(dir, 'v.mp3'))).duration;
  const decoded = await peakAndLength(ffmpeg.path, join(dir, 'v.mp3'));
  assert.ok(header < 7, `the header lies: ${header}`);
  assert.ok(Math.abs(decoded.seconds - 71) < 0.2, `decoded ${decoded.seconds}`);
  assert.ok(headerLies(header, decoded.seconds));
});
