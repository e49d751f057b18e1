// ffprobe, reduced to the facts clipmill decides on.
import { stat } from 'node:fs/promises';
import { ClipmillError } from '../errors.js';
import { runMedia } from './exec.js';
import { ffmpegErrorLines } from './stderr.js';

export interface VideoStreamInfo {
  codec: string;
  /** Coded size. */
  width: number;
  height: number;
  /** Size as displayed, rotation applied (phones store portrait video as rotated landscape). */
  displayWidth: number;
  displayHeight: number;
  rotation: number;
  pixFmt: string | null;
  /** Average frame rate in frames per second, or null when unknown. */
  fps: number | null;
  /** The stream's base rate (r_frame_rate); differs from fps for variable frame rate video. */
  baseFps: number | null;
  /** Sample aspect ratio as a number (1 = square pixels); null when unset. */
  sar: number | null;
  duration: number | null;
  /** Seconds of the stream's first timestamp (start_time), when known. */
  startTime?: number | null;
}

export interface AudioStreamInfo {
  codec: string;
  sampleRate: number | null;
  channels: number | null;
  duration: number | null;
  /** Seconds of the stream's first timestamp (start_time), when known. */
  startTime?: number | null;
}

export interface ProbeInfo {
  formatName: string;
  /** Container duration in seconds (0 when unknown). */
  duration: number;
  size: number;
  video: VideoStreamInfo | null;
  audio: AudioStreamInfo | null;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  start_time?: string;
  sample_rate?: string;
  sample_aspect_ratio?: string;
  channels?: number;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number | string }[];
  disposition?: { attached_pic?: number };
}

export function parseRate(rate: string | undefined): number | null {
  if (!rate) return null;
  const [n, d] = rate.split('/').map(Number);
  if (!n || !Number.isFinite(n)) return null;
  const v = d ? n / d : n;
  return Number.isFinite(v) && v > 0 ? v : null;
}

function num(v: string | number | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Pure: ffprobe's JSON to ProbeInfo. Exported for tests. */
export function parseProbe(json: string): ProbeInfo {
  const data = JSON.parse(json) as { format?: { format_name?: string; duration?: string; size?: string }; streams?: RawStream[] };
  const streams = data.streams ?? [];
  // Cover art in an mp3 shows up as a video stream; it is not footage.
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  let video: VideoStreamInfo | null = null;
  if (v && v.width && v.height) {
    const sideRotation = num(v.side_data_list?.find((sd) => sd.rotation !== undefined)?.rotation);
    const rotation = (((sideRotation ?? num(v.tags?.rotate) ?? 0) % 360) + 360) % 360;
    const quarter = rotation === 90 || rotation === 270;
    video = {
      codec: v.codec_name ?? 'unknown',
      width: v.width,
      height: v.height,
      displayWidth: quarter ? v.height : v.width,
      displayHeight: quarter ? v.width : v.height,
      rotation,
      pixFmt: v.pix_fmt ?? null,
      fps: parseRate(v.avg_frame_rate) ?? parseRate(v.r_frame_rate),
      baseFps: parseRate(v.r_frame_rate),
      sar: parseRate(v.sample_aspect_ratio?.replace(':', '/')),
      duration: num(v.duration),
      startTime: num(v.start_time),
    };
  }
  const audio: AudioStreamInfo | null = a
    ? { codec: a.codec_name ?? 'unknown', sampleRate: num(a.sample_rate), channels: a.channels ?? null, duration: num(a.duration), startTime: num(a.start_time) }
    : null;
  const duration = num(data.format?.duration) ?? video?.duration ?? audio?.duration ?? 0;
  return { formatName: data.format?.format_name ?? 'unknown', duration, size: num(data.format?.size) ?? 0, video, audio };
}

export interface ProbeOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

/** Runs ffprobe on a file. Throws ClipmillError('PROBE_FAILED') with ffprobe's own words. */
export async function probe(ffprobe: string, file: string, opts: ProbeOptions = {}): Promise<ProbeInfo> {
  const r = await runMedia(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', file], { what: 'ffprobe', timeoutMs: opts.timeoutMs ?? 60_000, signal: opts.signal, details: { file } });
  if (r.failed) {
    // "[mov,mp4,... @ 0x55..] moov atom not found" -> "moov atom not found"; the file's own
    // path is dropped too (the reason file already names it).
    const lines = ffmpegErrorLines(r.stderr).map((l) => l.replace(`${file}: `, ''));
    const why = r.timedOut ? 'ffprobe timed out' : [...new Set(lines.slice(-3))].join('; ') || `ffprobe exit code ${r.exitCode}`;
    throw new ClipmillError('PROBE_FAILED', why, { details: { file } });
  }
  try {
    return parseProbe(r.stdout);
  } catch (err) {
    throw new ClipmillError('PROBE_FAILED', `ffprobe printed no usable JSON for ${file}`, { cause: err });
  }
}

/** How many probes probeFile remembers (one process's recent inputs). */
const PROBE_MEMORY = 256;
const remembered = new Map<string, ProbeInfo>();

/**
 * probe, remembered for the file's identity: device, inode, size, modification and birth
 * times. A render worker's inputs are hard links to the root's files when scratch is on the
 * root's file system (render-worker/download.ts), so the chunk tasks of one long task, and
 * the tasks that share footage, probe each file once per process; a file written again, or
 * another file, has another identity. Only a file with more than one link (the root's,
 * linked into scratch: files the protocol never rewrites) is remembered: a copy in scratch
 * lives for one task, and its inode, freed at clean-up, may soon hold another file. Failures
 * are not remembered; what is returned is frozen (shared by every caller).
 */
export async function probeFile(ffprobe: string, file: string, opts: ProbeOptions = {}): Promise<ProbeInfo> {
  const st = await stat(file).catch(() => null);
  const key = st && st.nlink > 1 ? `${ffprobe}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.birthtimeMs}` : null;
  const known = key ? remembered.get(key) : undefined;
  if (known) return known;
  const info = deepFreeze(await probe(ffprobe, file, opts));
  if (key) {
    remembered.set(key, info);
    if (remembered.size > PROBE_MEMORY) remembered.delete(remembered.keys().next().value!);
  }
  return info;
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}

/** The facts worth keeping in a reason file or a report. */
export function probeSummary(info: ProbeInfo): Record<string, unknown> {
  return {
    format: info.formatName,
    duration: info.duration,
    size: info.size,
    video: info.video && { codec: info.video.codec, width: info.video.displayWidth, height: info.video.displayHeight, rotation: info.video.rotation, pix_fmt: info.video.pixFmt, fps: info.video.fps },
    audio: info.audio && { codec: info.audio.codec, sample_rate: info.audio.sampleRate, channels: info.audio.channels },
  };
}
