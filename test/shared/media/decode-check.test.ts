// The decode check: a second at the start and one at the end, decoded by one ffmpeg with
// -xerror. Real tiny media for what ffmpeg says; a fake ffmpeg for the argv and for outcomes
// real files do not give cheaply (frames missing at one end, ffmpeg killed).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { decodeCheck } from '../../../src/shared/media/decode-check.js';
import { fakeFfmpeg } from '../../fake-ffmpeg.js';
import { binaries, tempDir, writeScript } from '../../helpers.js';
import { FIXTURES } from '../../media.js';

const ffmpeg = async () => (await binaries()).ffmpeg.path;

/** A fake ffmpeg that records its argv (one argument a line) in `dir/argv.txt`, prints `stdout` and `stderr`, exits `code`. */
async function recorder(dir: string, out: { stdout?: string; stderr?: string; code?: number } = {}) {
  const path = await writeScript(join(dir, 'ffmpeg'), [`printf '%s\\n' "$@" > '${dir}/argv.txt'`, `printf '${out.stdout ?? ''}'`, `printf '${out.stderr ?? ''}' >&2`, `exit ${out.code ?? 0}`].join('\n'));
  return { path, argv: async () => (await readFile(join(dir, 'argv.txt'), 'utf8')).split('\n').slice(0, -1) };
}

const FRAME0 = '0,          0,          0,        1,    21600, 0x5fbb9ba6\\n';
const FRAME1 = '1,          0,          0,        1,    21600, 0x5fbb9ba6\\n';

test('argv: the first `seconds` of the file, and the last ones as a second input when the file is long enough', async (t) => {
  const dir = await tempDir(t);
  const fake = await recorder(dir, { stdout: `#tb 0: 1/30\\n${FRAME0}${FRAME1}` });
  assert.deepEqual(await decodeCheck(fake.path, '/r/a b.mp4', 10, 1), { ok: true, reason: null });
  assert.deepEqual(await fake.argv(), ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-t', '1', '-i', '/r/a b.mp4', '-sseof', '-1', '-i', '/r/a b.mp4', '-map', '0:v:0', '-map', '1:v:0', '-f', 'framecrc', '-']);
  // Not more than twice the sample: one input (the two samples would overlap).
  assert.deepEqual(await decodeCheck(fake.path, '/r/a.mp4', 2, 1), { ok: true, reason: null });
  assert.deepEqual(await fake.argv(), ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-t', '1', '-i', '/r/a.mp4', '-map', '0:v:0', '-f', 'framecrc', '-']);
  await decodeCheck(fake.path, '/r/a.mp4', 1.5, 0.5);
  assert.deepEqual((await fake.argv()).slice(5, 12), ['-t', '0.5', '-i', '/r/a.mp4', '-sseof', '-0.5', '-i']);
});

test('real media: a whole clip passes, with one sample or two', async (t) => {
  const dir = await tempDir(t);
  const clip = join(dir, 'clip.mp4');
  await FIXTURES.clip(clip, 2.5);
  assert.deepEqual(await decodeCheck(await ffmpeg(), clip, 2.5, 1), { ok: true, reason: null });
  assert.deepEqual(await decodeCheck(await ffmpeg(), clip, 2.5, 2), { ok: true, reason: null });
});

test('real media: a cut-off file, a non-media file and a file without video fail with ffmpeg\'s reason', async (t) => {
  const dir = await tempDir(t);
  const cut = join(dir, 'cut.mp4');
  await FIXTURES.truncatedFaststart(cut);
  const r = await decodeCheck(await ffmpeg(), cut, 4, 1);
  assert.equal(r.ok, false);
  assert.match(r.reason!, /^decoding the first and last 1 s failed: Invalid NAL unit size \(\d+ > \d+\)\.$/);
  const text = join(dir, 'text.mp4');
  await FIXTURES.text(text);
  assert.deepEqual(await decodeCheck(await ffmpeg(), text, 1, 1), { ok: false, reason: 'decoding the first 1 s failed: moov atom not found' });
  const audio = join(dir, 'audio.mp4');
  await FIXTURES.audioOnlyMp4(audio);
  assert.deepEqual(await decodeCheck(await ffmpeg(), audio, 2, 1), { ok: false, reason: "decoding the first 1 s failed: Stream map '0:v:0' matches no streams." });
});

test('ffmpeg exits 0 but a sample has no frame: named by where it is missing, with ffmpeg\'s words', async (t) => {
  const dir = await tempDir(t);
  const noEnd = await recorder(dir, { stdout: `${FRAME0}${FRAME0}`, stderr: '[h264 @ 0x55d0c0ffee00] error while decoding MB 3 4\\n' });
  assert.deepEqual(await decodeCheck(noEnd.path, '/r/a.mp4', 10, 1), { ok: false, reason: 'no frame could be decoded at the last 1 s (error while decoding MB 3 4)' });
  const nothing = await recorder(dir, { stdout: '#tb 0: 1/30\\n' });
  assert.deepEqual(await decodeCheck(nothing.path, '/r/a.mp4', 10, 1), { ok: false, reason: 'no frame could be decoded at the start' });
  assert.deepEqual(await decodeCheck(nothing.path, '/r/a.mp4', 1, 1), { ok: false, reason: 'no frame could be decoded at the start' });
  // Frames of the second input only: the start is what is missing.
  const onlyEnd = await recorder(dir, { stdout: FRAME1 });
  assert.deepEqual(await decodeCheck(onlyEnd.path, '/r/a.mp4', 10, 1), { ok: false, reason: 'no frame could be decoded at the start' });
  // A failure with nothing on stderr: the exit code.
  const silent = await recorder(dir, { code: 69 });
  assert.deepEqual(await decodeCheck(silent.path, '/r/a.mp4', 10, 1), { ok: false, reason: 'decoding the first and last 1 s failed: exit code 69' });
});

test('a check that did not run to its end says nothing about the file: SUBPROCESS_FAILED', async (t) => {
  const dir = await tempDir(t);
  const killed = await fakeFfmpeg(dir, 'killed');
  await assert.rejects(decodeCheck(killed, '/r/a.mp4', 10, 1), (err: unknown) => isClipmillError(err, 'SUBPROCESS_FAILED') && err.message === 'the decode check killed by SIGKILL' && err.details.file === '/r/a.mp4');
  await assert.rejects(decodeCheck(join(dir, 'missing-ffmpeg'), '/r/a.mp4', 10, 1), (err: unknown) => isClipmillError(err, 'SUBPROCESS_FAILED') && err.message === 'the decode check could not be started');
  const clip = join(dir, 'clip.mp4');
  await FIXTURES.clip(clip, 1);
  await assert.rejects(decodeCheck(await ffmpeg(), clip, 1, 1, AbortSignal.abort()), (err: unknown) => isClipmillError(err, 'SUBPROCESS_FAILED') && err.message === 'the decode check canceled' && err.details.canceled === true);
});
