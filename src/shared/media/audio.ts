// Audio analysis: EBU R128 loudness (loudnorm's first pass) for music, peak level
// (volumedetect) for voice. Both decode the whole file, which also proves it decodes.
import { execa } from 'execa';
import { ClipmillError, subprocessError } from '../errors.js';
import { ffmpegErrorLines } from './stderr.js';

export interface Loudness {
  /** Integrated loudness, LUFS (-Infinity for digital silence). */
  inputI: number;
  inputTp: number;
  inputLra: number;
  inputThresh: number;
  targetOffset: number;
}

async function analyze(ffmpeg: string, file: string, filter: string, signal?: AbortSignal): Promise<string> {
  // No -xerror here, unlike the video decode check: MP3s often end in a partial frame or a
  // stray byte (tag remnants), which is harmless and which -xerror would reject.
  const r = await execa(ffmpeg, ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', '0:a:0', '-af', filter, '-f', 'null', '-'], {
    reject: false,
    timeout: 30 * 60_000,
    ...(signal ? { cancelSignal: signal } : {}),
    maxBuffer: 64 * 1024 * 1024,
  });
  const trouble = subprocessError('the audio analysis', r, { file });
  if (trouble) throw trouble;
  if (r.failed) {
    // The analysis filters print at info level, so pick ffmpeg's error lines out of the rest.
    const lines = ffmpegErrorLines(r.stderr);
    const why = lines.filter((l) => /error|invalid|corrupt|failed|could not|cannot|no such/i.test(l)).slice(-2).join('; ') || lines[lines.length - 1];
    throw new ClipmillError('UNDECODABLE', `the audio does not decode: ${why ?? `exit code ${r.exitCode}`}`);
  }
  return r.stderr;
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
  return parseLoudnorm(await analyze(ffmpeg, file, `${loudnormFilter(target)}:print_format=json`, signal));
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
  return parseMaxVolume(await analyze(ffmpeg, file, 'volumedetect', signal));
}
