// Verification of a rendered file against what its compiled timeline promises (DESIGN §5):
// a video stream at the rendered size and frame rate, lasting the output's duration within
// one frame, and an audio stream exactly when the timeline has audio. Shared by
// `clipmill render` and any caller that holds a Compiled timeline's Expectation.
import { probe, type ProbeInfo } from '../media/probe.js';
import type { Expectation } from './compile.js';

export interface Check {
  /** The last five are a chunked render's (docs/chunks.md): its chunks' and its join's packets. */
  name: 'video_stream' | 'audio_stream' | 'duration' | 'size' | 'frame_rate' | 'frame_count' | 'video_timestamps' | 'keyframes' | 'audio_samples' | 'audio_timestamps';
  ok: boolean;
  expected: string;
  actual: string;
}

export interface Verification {
  ok: boolean;
  checks: Check[];
  /** What ffprobe saw, for a summary of the file. */
  info: ProbeInfo;
}

/** Pure: the checks of `info` against `expect`. */
export function checkAgainst(info: ProbeInfo, expect: Expectation): Check[] {
  const v = info.video;
  const a = info.audio;
  const frame = 1 / expect.fps;
  const checks: Check[] = [];
  checks.push({ name: 'video_stream', ok: !!v, expected: 'present', actual: v ? v.codec : 'absent' });
  checks.push({ name: 'audio_stream', ok: !!a === expect.audio, expected: expect.audio ? 'present' : 'absent', actual: a ? a.codec : 'absent' });
  const duration = v?.duration ?? info.duration;
  checks.push({
    name: 'duration',
    // Within one frame, plus a millisecond for the rounding of container timestamps.
    ok: Math.abs(duration - expect.duration) <= frame + 0.001,
    expected: `${expect.duration.toFixed(3)} s ± ${frame.toFixed(3)}`,
    actual: `${duration.toFixed(3)} s`,
  });
  checks.push({ name: 'size', ok: v?.width === expect.width && v.height === expect.height, expected: `${expect.width}x${expect.height}`, actual: v ? `${v.width}x${v.height}` : 'none' });
  checks.push({ name: 'frame_rate', ok: v?.fps != null && Math.abs(v.fps - expect.fps) < 0.01, expected: String(expect.fps), actual: v?.fps != null ? v.fps.toFixed(3) : 'unknown' });
  return checks;
}

/** Probes `file` and checks it against `expect`. A file ffprobe cannot read throws (PROBE_FAILED). */
export async function verifyAgainst(ffprobe: string, file: string, expect: Expectation, signal?: AbortSignal): Promise<Verification> {
  const info = await probe(ffprobe, file, signal ? { signal } : {});
  const checks = checkAgainst(info, expect);
  return { ok: checks.every((c) => c.ok), checks, info };
}

/** The failed checks in one line: `duration: expected 2.000 s ± 0.033, got 1.500 s; ...`. */
export function describeFailures(v: Pick<Verification, 'checks'>): string {
  return v.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: expected ${c.expected}, got ${c.actual}`)
    .join('; ');
}
