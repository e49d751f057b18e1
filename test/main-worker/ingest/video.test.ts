// Footage and overlays (raw/video/, raw/frame/): refused with a code when they are not usable
// clips; otherwise moved as they are when they fit the concat profile, or kept as an original
// to be conformed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { conformTarget, validateClip } from '../../../src/main-worker/ingest/video.js';
import { isClipmillError, type ErrorCode } from '../../../src/shared/errors.js';
import { stableUuid } from '../../../src/shared/ids.js';
import { FIXTURES } from '../../media.js';
import { ingestEnv } from './env.js';

const UUID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

function refused(code: ErrorCode, re: RegExp, probed = true) {
  return (err: unknown) => {
    assert.ok(isClipmillError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match((err as Error).message, re);
    assert.equal(typeof (err as { details: { probe?: unknown } }).details.probe, probed ? 'object' : 'undefined', 'what ffprobe saw goes with the reason');
    return true;
  };
}

test('conformTarget: render.fps, ingest.conformPreset and ingest.conformCrf', async (t) => {
  const env = await ingestEnv(t, { render: { fps: 25 }, ingest: { conformPreset: 'slow', conformCrf: 21 } });
  assert.deepEqual(conformTarget(env.ctx), { fps: 25, preset: 'slow', crf: 21 });
});

test('refused: an extension not taken, not media, no video, too short, cut short', async (t) => {
  const env = await ingestEnv(t);
  const txt = await env.raw('video/c/notes.txt', FIXTURES.text);
  await assert.rejects(validateClip(env.ctx, txt, 'video', 'c', 'notes.txt'), refused('RAW_UNSUPPORTED_TYPE', /^video files must be one of \.mp4 \.m4v \.mov \.mkv \.webm \.avi \.mts \.m2ts \.ts, got "\.txt"$/, false));
  const bare = await env.raw('frame/c/border', FIXTURES.text);
  await assert.rejects(validateClip(env.ctx, bare, 'frame', 'c', 'border'), refused('RAW_UNSUPPORTED_TYPE', /^frame files must be one of .*, got "border"$/, false));
  const text = await env.raw('video/c/text.mp4', FIXTURES.text);
  await assert.rejects(validateClip(env.ctx, text, 'video', 'c', 'text.mp4'), (err: unknown) => isClipmillError(err, 'PROBE_FAILED'));
  const audio = await env.raw('video/c/audio.mp4', FIXTURES.audioOnlyMp4);
  await assert.rejects(validateClip(env.ctx, audio, 'video', 'c', 'audio.mp4'), refused('NO_VIDEO_STREAM', /^the file has no video stream$/));
  const blink = await env.raw('video/c/blink.mp4', FIXTURES.blink);
  await assert.rejects(validateClip(env.ctx, blink, 'video', 'c', 'blink.mp4'), refused('TOO_SHORT', /^the clip lasts 0\.20 s, less than ingest\.minClipSeconds \(0\.5 s\)$/));
  const cut = await env.raw('video/c/cut.mp4', FIXTURES.truncatedFaststart);
  await assert.rejects(validateClip(env.ctx, cut, 'video', 'c', 'cut.mp4'), refused('UNDECODABLE', /^decoding the first and last 1 s failed: /));
});

test('a clip that fits the profile is moved into its resolution class, named by duration and id', async (t) => {
  const env = await ingestEnv(t);
  const named = await env.raw(`video/c/${UUID}.mp4`, (p) => FIXTURES.clip(p));
  const v = await validateClip(env.ctx, named, 'video', 'c', `${UUID}.mp4`);
  assert.deepEqual(v, {
    kind: 'move',
    dest: join(env.layout.scanned, `video/c/mp4_w160_h90/1.5_${UUID}.mp4`),
    probe: (v as { probe: Record<string, unknown> }).probe,
    facts: { id: UUID, duration: 1.5, width: 160, height: 90 },
  });
  assert.deepEqual((v.probe as { video: unknown }).video, { codec: 'h264', width: 160, height: 90, rotation: 0, pix_fmt: 'yuv420p', fps: 30 });
  // Any other name: an id derived from the raw path, size and time, the same on every try.
  const overlay = await env.raw('frame/c/glitter.mp4', (p) => FIXTURES.clip(p, 2));
  const id = stableUuid('clipmill-raw', overlay.rel, String(overlay.size), String(overlay.mtimeMs));
  const o = await validateClip(env.ctx, overlay, 'frame', 'c', 'glitter.mp4');
  assert.deepEqual([o.kind, (o as { dest: string }).dest], ['move', join(env.layout.scanned, `frame/c/mp4_w160_h90/2.0_${id}.mp4`)]);
});

test('a clip that does not fit is kept as an original to conform, with the reason (extension lower-cased)', async (t) => {
  const env = await ingestEnv(t);
  const fps = await env.raw(`video/c/${UUID}.mp4`, FIXTURES.clip25fps);
  const v = await validateClip(env.ctx, fps, 'video', 'c', `${UUID}.mp4`);
  assert.deepEqual({ ...v, probe: null }, { kind: 'convert', original: join(env.layout.scanned, `video/c/original/${UUID}.mp4`), why: 'transcode: 25.00 fps is not 30 fps', probe: null, extra: {} });
  const mov = await env.raw('video/c/phone.MOV', FIXTURES.mov);
  const id = stableUuid('clipmill-raw', mov.rel, String(mov.size), String(mov.mtimeMs));
  const m = await validateClip(env.ctx, mov, 'video', 'c', 'phone.MOV');
  assert.deepEqual([m.kind, (m as { original: string }).original, (m as { why: string }).why], ['convert', join(env.layout.scanned, `video/c/original/${id}.mov`), 'remux: .mov container']);
});
