// Verification against a compiled timeline's Expectation: each check on its own (pure), then
// real files probed (a tiny clip without audio, and one with).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ProbeInfo } from '../../../src/shared/media/probe.js';
import type { Expectation } from '../../../src/shared/timeline/compile.js';
import { checkAgainst, describeFailures, verifyAgainst } from '../../../src/shared/timeline/verify.js';
import { binaries, tempDir } from '../../helpers.js';
import { FIXTURES } from '../../media.js';

const EXPECT: Expectation = { width: 160, height: 90, fps: 30, duration: 2, audio: true };

function info(over: { video?: Partial<NonNullable<ProbeInfo['video']>> | null; audio?: ProbeInfo['audio']; duration?: number } = {}): ProbeInfo {
  const video = over.video === null ? null : { codec: 'h264', width: 160, height: 90, displayWidth: 160, displayHeight: 90, rotation: 0, pixFmt: 'yuv420p', fps: 30, baseFps: 30, sar: 1, duration: 2, ...over.video };
  return { formatName: 'mov,mp4', duration: over.duration ?? 2, size: 1000, video, audio: over.audio === undefined ? { codec: 'aac', sampleRate: 48000, channels: 2, duration: 2 } : over.audio };
}

const failed = (i: ProbeInfo, e: Expectation = EXPECT) => checkAgainst(i, e).filter((c) => !c.ok).map((c) => c.name);

test('a file as promised passes every check', () => {
  const checks = checkAgainst(info(), EXPECT);
  assert.deepEqual(checks.map((c) => c.name), ['video_stream', 'audio_stream', 'duration', 'size', 'frame_rate']);
  assert.ok(checks.every((c) => c.ok));
});

test('duration: within one frame plus a millisecond, from the video stream (else the container)', () => {
  assert.deepEqual(failed(info({ video: { duration: 2 + 1 / 30 + 0.0005 } })), []);
  assert.deepEqual(failed(info({ video: { duration: 2 - 1 / 30 - 0.0005 } })), []);
  assert.deepEqual(failed(info({ video: { duration: 2 + 1 / 30 + 0.002 } })), ['duration']);
  assert.deepEqual(failed(info({ video: { duration: null }, duration: 1.5 })), ['duration']);
  assert.deepEqual(failed(info({ video: { duration: 1.5 } }), { ...EXPECT, duration: 1.5, fps: 24 }), ['frame_rate']);
});

test('audio present exactly when the timeline has audio; size, frame rate and a missing video stream', () => {
  assert.deepEqual(failed(info({ audio: null })), ['audio_stream']);
  assert.deepEqual(failed(info(), { ...EXPECT, audio: false }), ['audio_stream']);
  assert.deepEqual(failed(info({ audio: null }), { ...EXPECT, audio: false }), []);
  assert.deepEqual(failed(info({ video: { width: 320 } })), ['size']);
  assert.deepEqual(failed(info({ video: { fps: 29.97 } })), ['frame_rate']);
  assert.deepEqual(failed(info({ video: { fps: null } })), ['frame_rate']);
  assert.deepEqual(failed(info({ video: null })), ['video_stream', 'size', 'frame_rate']);
  assert.equal(describeFailures({ checks: checkAgainst(info({ video: { width: 320 }, audio: null }), EXPECT) }), 'audio_stream: expected present, got absent; size: expected 160x90, got 320x90');
});

test('verifyAgainst probes real files', async (t) => {
  const dir = await tempDir(t);
  const { ffprobe } = await binaries();
  await FIXTURES.clip(join(dir, 'clip.mp4'), 1.5);
  await FIXTURES.withAudio(join(dir, 'av.mp4'));
  const clip = await verifyAgainst(ffprobe.path, join(dir, 'clip.mp4'), { ...EXPECT, duration: 1.5, audio: false });
  assert.ok(clip.ok, describeFailures(clip));
  assert.equal(clip.info.video?.codec, 'h264');
  const av = await verifyAgainst(ffprobe.path, join(dir, 'av.mp4'), { ...EXPECT, duration: 1, audio: false });
  assert.deepEqual(av.checks.filter((c) => !c.ok).map((c) => c.name), ['audio_stream']);
  await assert.rejects(verifyAgainst(ffprobe.path, join(dir, 'none.mp4'), EXPECT), { code: 'PROBE_FAILED' });
});
