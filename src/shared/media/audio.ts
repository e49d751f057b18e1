// Audio analysis: EBU R128 loudness (loudnorm's first pass) for music, peak level
// (volumedetect) for voice. Both decode the whole file, which also proves it decodes.
import { ClipmillError } from '../errors.js';
import { runMedia } from './exec.js';
import { ffmpegErrorLines } from './stderr.js';

export interface Loudness {
  /** Integrated loudness, LUFS (-Infinity for digital silence). */
  inputI: number;
  inputTp: number;
  inputLra: number;
  inputThresh: number;
  targetOffset: number;
}

/**
 * How long a check that decodes `seconds` of media may take: 30 s, plus a tenth of the media's
 * length (decoding audio runs hundreds of times faster than realtime; footage tens of times).
 */
export function checkTimeoutMs(seconds: number): number {
  return 30_000 + Math.ceil(Math.max(0, seconds) * 100);
}

/**
 * Pure: the length of what ffmpeg decoded, from its last report ("size=N/A time=00:01:11.09
 * ...", printed at the end even with -nostats). The header's duration can lie (a VBR MP3
 * without a Xing header); this cannot. Null when ffmpeg printed none.
 */
export function parseDecodedSeconds(stderr: string): number | null {
  const all = [...stderr.matchAll(/time=(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/g)];
  const m = all[all.length - 1];
  if (!m) return null;
  return m[1] ? 0 : Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

interface Analysis {
  stderr: string;
  /** Seconds decoded (the whole file). */
  seconds: number;
}

/** Runs an analysis filter over the whole audio of `file` (its output thrown away): ffmpeg's log and the seconds decoded; UNDECODABLE when it does not decode. */
export async function analyze(ffmpeg: string, file: string, filter: string, opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined }): Promise<Analysis> {
  // No -xerror here, unlike the video decode check: MP3s often end in a partial frame or a
  // stray byte (tag remnants), which is harmless and which -xerror would reject.
  const r = await runMedia(ffmpeg, ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', '0:a:0', '-af', filter, '-f', 'null', '-'], {
    what: 'the audio analysis',
    timeoutMs: opts.timeoutMs ?? 30 * 60_000,
    signal: opts.signal,
    maxBuffer: 64 * 1024 * 1024,
    details: { file },
  });
  if (r.failed) {
    // The analysis filters print at info level, so pick ffmpeg's error lines out of the rest.
    const lines = ffmpegErrorLines(r.stderr);
    const why = lines.filter((l) => /error|invalid|corrupt|failed|could not|cannot|no such/i.test(l)).slice(-2).join('; ') || lines[lines.length - 1];
    throw new ClipmillError('UNDECODABLE', `the audio does not decode: ${why ?? `exit code ${r.exitCode}`}`);
  }
  const seconds = parseDecodedSeconds(r.stderr);
  if (seconds === null) throw new ClipmillError('UNDECODABLE', 'no audio was decoded');
  return { stderr: r.stderr, seconds };
}

function parseNumber(v: unknown): number {
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  return Number(v);
}

/** Pure: the JSON block loudnorm prints with print_format=json. */
export function parseLoudnorm(stderr: string): Loudness {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start < 0 || end < start) throw new ClipmillError('UNDECODABLE', 'loudnorm printed no measurement');
  const j = JSON.parse(stderr.slice(start, end + 1)) as Record<string, string>;
  return {
    inputI: parseNumber(j.input_i),
    inputTp: parseNumber(j.input_tp),
    inputLra: parseNumber(j.input_lra),
    inputThresh: parseNumber(j.input_thresh),
    targetOffset: parseNumber(j.target_offset),
  };
}

export interface LoudnessTarget {
  lufs: number;
  truePeak: number;
  lra: number;
}

export function loudnormFilter(t: LoudnessTarget): string {
  return `loudnorm=I=${t.lufs}:TP=${t.truePeak}:LRA=${t.lra}`;
}

export async function measureLoudness(ffmpeg: string, file: string, target: LoudnessTarget, signal?: AbortSignal): Promise<Loudness> {
  return (await loudnessAndLength(ffmpeg, file, target, { signal })).loudness;
}

/** The loudness and the decoded length of a track, in one decode of the whole file. */
export async function loudnessAndLength(ffmpeg: string, file: string, target: LoudnessTarget, opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {}): Promise<{ loudness: Loudness; seconds: number }> {
  const a = await analyze(ffmpeg, file, `${loudnormFilter(target)}:print_format=json`, opts);
  return { loudness: parseLoudnorm(a.stderr), seconds: a.seconds };
}

/**
 * The second pass: the measured values make loudnorm apply one linear gain (no pumping)
 * when the true-peak target allows it.
 */
export function loudnormSecondPass(target: LoudnessTarget, m: Loudness): string {
  return `${loudnormFilter(target)}:measured_I=${m.inputI}:measured_TP=${m.inputTp}:measured_LRA=${m.inputLra}:measured_thresh=${m.inputThresh}:offset=${m.targetOffset}:linear=true:print_format=summary`;
}

/** Pure: max_volume from volumedetect, in dB (-Infinity for digital silence). */
export function parseMaxVolume(stderr: string): number {
  const m = /max_volume:\s*(-?inf|-?[\d.]+) dB/.exec(stderr);
  if (!m) throw new ClipmillError('UNDECODABLE', 'volumedetect printed no measurement (no audio decoded)');
  return parseNumber(m[1]);
}

export async function maxVolume(ffmpeg: string, file: string, signal?: AbortSignal): Promise<number> {
  return (await peakAndLength(ffmpeg, file, { signal })).peakDb;
}

/** The loudest sample and the decoded length of a file, in one decode of the whole file. */
export async function peakAndLength(ffmpeg: string, file: string, opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {}): Promise<{ peakDb: number; seconds: number }> {
  const a = await analyze(ffmpeg, file, 'volumedetect', opts);
  return { peakDb: parseMaxVolume(a.stderr), seconds: a.seconds };
}

/**
 * Whether a header's duration disagrees with the decoded one by more than 1% (and by more than
 * an encoder's delay and padding, about 0.1 s, which a short file's honest header differs by):
 * such a file is re-encoded with a correct header.
 */
export function headerLies(headerSeconds: number, decodedSeconds: number): boolean {
  return Math.abs(headerSeconds - decodedSeconds) > Math.max(0.01 * decodedSeconds, 0.1);
}
