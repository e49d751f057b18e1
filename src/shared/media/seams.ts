// What the join of a chunked render is verified with (docs/chunks.md): the packets of the
// joined file, read from its index by ffprobe (nothing decoded): the video's frame count, its
// timestamps one frame apart everywhere (no gap, no duplicate at any seam), where its
// keyframes are; the audio's exact sample count (the edit list's duration: the encoder's
// priming and padding not counted) and its packets end to end.
import { z } from 'zod';
import { ClipmillError } from '../errors.js';
import { runMedia } from './exec.js';
import { parseProbe, parseRate, type ProbeInfo } from './probe.js';
import { ffmpegErrorLines } from './stderr.js';

export interface TimestampGap {
  /** The packet's index in presentation order. */
  index: number;
  /** Its distance from the packet before, in the stream's time base, and what was expected. */
  delta: number;
  expected: number;
}

export interface SeamReport {
  video: { frames: number; timeBase: string; frameTicks: number; gaps: TimestampGap[]; keyframesAt: number[] };
  audio: { samples: number; sampleRate: number; gaps: TimestampGap[] } | null;
}

const Probe = z.looseObject({
  streams: z.array(z.looseObject({ index: z.number(), codec_type: z.string().optional(), time_base: z.string().optional(), duration_ts: z.number().optional(), sample_rate: z.string().optional() })).default([]),
  // (-show_streams prints every field; the ones read here are what -show_entries would.)
  packets: z.array(z.looseObject({ stream_index: z.number(), pts: z.number().optional(), duration: z.number().optional(), flags: z.string().optional() })).default([]),
});


/** The most common value (the frame duration of a stream with a few odd packets). */
function mode(values: number[]): number {
  const count = new Map<number, number>();
  let best = 0;
  let bestN = 0;
  for (const v of values) {
    const n = (count.get(v) ?? 0) + 1;
    count.set(v, n);
    if (n > bestN) [best, bestN] = [v, n];
  }
  return best;
}

/** Pure: the seam report of ffprobe's JSON (streams with duration_ts, packets with pts, duration, flags). */
export function parseSeams(json: string): SeamReport {
  const data = Probe.parse(JSON.parse(json));
  const v = data.streams.find((s) => s.codec_type === 'video');
  const a = data.streams.find((s) => s.codec_type === 'audio');
  // No video stream (an audio artifact): no video packets.
  const vp = data.packets.filter((p) => v !== undefined && p.stream_index === v.index && p.pts !== undefined).sort((x, y) => x.pts! - y.pts!);
  const deltas = vp.slice(1).map((p, i) => p.pts! - vp[i]!.pts!);
  const frameTicks = mode(deltas);
  const gaps = deltas.flatMap((d, i) => (d === frameTicks ? [] : [{ index: i + 1, delta: d, expected: frameTicks }]));
  const keyframesAt = vp.flatMap((p, i) => (p.flags?.includes('K') ? [i] : []));
  let audio: SeamReport['audio'] = null;
  if (a) {
    const sampleRate = Number(a.sample_rate ?? 0);
    const ap = data.packets.filter((p) => p.stream_index === a.index && p.pts !== undefined).sort((x, y) => x.pts! - y.pts!);
    const agaps = ap.slice(1).flatMap((p, i) => {
      const expected = ap[i]!.duration ?? 0;
      const delta = p.pts! - ap[i]!.pts!;
      return delta === expected ? [] : [{ index: i + 1, delta, expected }];
    });
    audio = { samples: Math.round((a.duration_ts ?? 0) * (parseRate(a.time_base) ?? 0) * sampleRate), sampleRate, gaps: agaps };
  }
  return { video: { frames: vp.length, timeBase: v?.time_base ?? '-', frameTicks, gaps, keyframesAt }, audio };
}

/** Reads the packets of `file` (its index only) and reports on its seams; PROBE_FAILED when ffprobe cannot. */
export async function probeSeams(ffprobe: string, file: string, signal?: AbortSignal): Promise<SeamReport> {
  return (await probeWithSeams(ffprobe, file, signal)).seams;
}

/** One ffprobe run for both: what probe() reports of `file` and its seams (a join's verification reads the file once). */
export async function probeWithSeams(ffprobe: string, file: string, signal?: AbortSignal): Promise<{ info: ProbeInfo; seams: SeamReport }> {
  const argv = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_entries', 'packet=stream_index,pts,duration,flags', '-i', file];
  const r = await runMedia(ffprobe, argv, { what: 'ffprobe', timeoutMs: 120_000, signal, maxBuffer: 256 * 1024 * 1024, details: { file } });
  if (r.failed) throw new ClipmillError('PROBE_FAILED', ffmpegErrorLines(r.stderr).slice(-1)[0] ?? `ffprobe exit code ${r.exitCode}`, { details: { file } });
  return { info: parseProbe(r.stdout), seams: parseSeams(r.stdout) };
}

/** What every chunk of a join must share for the concat demuxer to make one valid stream of them (it keeps the first chunk's headers). */
export interface StreamParams {
  codec_name: string;
  profile: string;
  level: string;
  pix_fmt: string;
  time_base: string;
  width: string;
  height: string;
  /** An MD5 of the codec headers (SPS/PPS). */
  extradata_hash: string;
}
const PARAM_KEYS = ['codec_name', 'profile', 'level', 'pix_fmt', 'time_base', 'width', 'height', 'extradata_hash'] as const;

/** The first video stream's StreamParams (ffprobe reads the headers only); PROBE_FAILED when ffprobe cannot. */
export async function probeStreamParams(ffprobe: string, file: string, signal?: AbortSignal): Promise<StreamParams> {
  const argv = ['-v', 'error', '-print_format', 'json', '-select_streams', 'v:0', '-show_data_hash', 'md5', '-show_entries', `stream=${PARAM_KEYS.join(',')}`, '-i', file];
  const r = await runMedia(ffprobe, argv, { what: 'ffprobe', timeoutMs: 60_000, signal, details: { file } });
  if (r.failed) throw new ClipmillError('PROBE_FAILED', ffmpegErrorLines(r.stderr).slice(-1)[0] ?? `ffprobe exit code ${r.exitCode}`, { details: { file } });
  const stream = (JSON.parse(r.stdout) as { streams?: Record<string, unknown>[] }).streams?.[0];
  if (!stream) throw new ClipmillError('PROBE_FAILED', 'no video stream', { details: { file } });
  return Object.fromEntries(PARAM_KEYS.map((k) => [k, String(stream[k] ?? '-')])) as unknown as StreamParams;
}

/**
 * Pure: the chunks whose parameters differ from the most common ones (ties: the first chunk's),
 * each with what differs ("profile High, not Main").
 */
export function paramMismatches(params: StreamParams[]): { index: number; diffs: string[] }[] {
  const keyOf = (p: StreamParams) => PARAM_KEYS.map((k) => p[k]).join('|');
  const count = new Map<string, number>();
  for (const p of params) count.set(keyOf(p), (count.get(keyOf(p)) ?? 0) + 1);
  let ref = params[0];
  for (const p of params) if ((count.get(keyOf(p)) ?? 0) > (count.get(keyOf(ref!)) ?? 0)) ref = p;
  if (!ref) return [];
  return params.flatMap((p, index) => {
    const diffs = PARAM_KEYS.filter((k) => p[k] !== ref[k]).map((k) => `${k} ${p[k]}, not ${ref[k]}`);
    return diffs.length ? [{ index, diffs }] : [];
  });
}
