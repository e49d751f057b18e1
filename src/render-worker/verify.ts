// Verification before publishing (DESIGN §4): the output must have video and audio, last as
// long as the voice within one frame, and have the configured size and frame rate.
import { probe } from '../shared/media/probe.js';
import type { TaskMetadata } from '../shared/task.js';

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

export async function verifyOutput(ffprobe: string, file: string, meta: TaskMetadata, signal?: AbortSignal): Promise<Verification> {
  const info = await probe(ffprobe, file, { signal });
  const [w, h] = meta.render.resolution.split('x').map(Number) as [number, number];
  const fps = meta.render.frame_rate;
  const frame = 1 / fps;
  const checks: Check[] = [];
  const v = info.video;
  const a = info.audio;
  checks.push({ name: 'video_stream', ok: !!v, expected: 'present', actual: v ? v.codec : 'absent' });
  checks.push({ name: 'audio_stream', ok: !!a, expected: 'present', actual: a ? a.codec : 'absent' });
  const videoDuration = v?.duration ?? info.duration;
  checks.push({
    name: 'duration',
    // Within one frame, plus a millisecond for the rounding of container timestamps.
    ok: Math.abs(videoDuration - meta.voice_duration) <= frame + 0.001,
    expected: `${meta.voice_duration.toFixed(3)} s ± ${frame.toFixed(3)}`,
    actual: `${videoDuration.toFixed(3)} s`,
  });
  checks.push({ name: 'size', ok: v?.width === w && v.height === h, expected: `${w}x${h}`, actual: v ? `${v.width}x${v.height}` : 'none' });
  checks.push({ name: 'frame_rate', ok: v?.fps != null && Math.abs(v.fps - fps) < 0.01, expected: String(fps), actual: v?.fps != null ? v.fps.toFixed(3) : 'unknown' });
  return { ok: checks.every((c) => c.ok), checks };
}
