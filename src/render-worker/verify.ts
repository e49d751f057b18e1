// Verification before publishing (DESIGN §5): the output must keep what its timeline
// promises — a video stream, audio when the timeline has audio tracks, its duration within
// one frame, its size and frame rate.
import { probe } from '../shared/media/probe.js';
import type { Expectation } from '../shared/timeline/compile.js';

export interface Check {
  name: string;
  ok: boolean;
  expected: string;
  actual: string;
}

export interface Verification {
  ok: boolean;
  checks: Check[];
}

export async function verifyOutput(ffprobe: string, file: string, expect: Expectation, signal?: AbortSignal): Promise<Verification> {
  const info = await probe(ffprobe, file, { signal });
  const frame = 1 / expect.fps;
  const checks: Check[] = [];
  const v = info.video;
  const a = info.audio;
  checks.push({ name: 'video_stream', ok: !!v, expected: 'present', actual: v ? v.codec : 'absent' });
  checks.push({ name: 'audio_stream', ok: !!a === expect.audio, expected: expect.audio ? 'present' : 'absent', actual: a ? a.codec : 'absent' });
  const videoDuration = v?.duration ?? info.duration;
  checks.push({
    name: 'duration',
    // Within one frame, plus a millisecond for the rounding of container timestamps.
    ok: Math.abs(videoDuration - expect.duration) <= frame + 0.001,
    expected: `${expect.duration.toFixed(3)} s ± ${frame.toFixed(3)}`,
    actual: `${videoDuration.toFixed(3)} s`,
  });
  checks.push({ name: 'size', ok: v?.width === expect.width && v.height === expect.height, expected: `${expect.width}x${expect.height}`, actual: v ? `${v.width}x${v.height}` : 'none' });
  checks.push({ name: 'frame_rate', ok: v?.fps != null && Math.abs(v.fps - expect.fps) < 0.01, expected: String(expect.fps), actual: v?.fps != null ? v.fps.toFixed(3) : 'unknown' });
  return { ok: checks.every((c) => c.ok), checks };
}
