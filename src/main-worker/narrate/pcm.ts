// The audio plumbing of the narration engine, through ffmpeg (argv arrays, never a shell):
// MP3 <-> 16-bit mono PCM, joining pieces without a click, and the stretches of sound between
// pauses (silencedetect) for aligning a person's recording to its transcript.
import { readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { ClipmillError, type ErrorCode } from '../../shared/errors.js';
import { analyze, parseDecodedSeconds } from '../../shared/media/audio.js';
import type { Span } from '../../shared/words.js';

/** 16-bit signed mono samples at `rate`. */
export interface Pcm {
  rate: number;
  samples: Int16Array;
}

const FF = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];

async function ffmpegRun(ffmpeg: string, args: string[], code: ErrorCode, what: string, signal?: AbortSignal) {
  const r = await execa(ffmpeg, [...FF, ...args], { reject: false, cancelSignal: signal, timeout: 600_000, stripFinalNewline: true });
  if (r.isCanceled) signal?.throwIfAborted();
  if (r.failed) throw new ClipmillError(code, `${what}: ${r.stderr.split('\n').slice(-1)[0] || r.shortMessage}`, { details: { exitCode: r.exitCode ?? null } });
  return r;
}

/** Decodes an audio file to mono PCM at `rate` (its first `maxSeconds` only, when given). Throws `code` when it does not decode. */
export async function decodePcm(ffmpeg: string, file: string, tmp: string, rate: number, code: ErrorCode = 'NARRATION_INVALID', signal?: AbortSignal, maxSeconds?: number): Promise<Pcm> {
  // -xerror: a corrupt frame fails the decode instead of being skipped with a warning.
  const limit = maxSeconds !== undefined ? ['-t', String(maxSeconds)] : [];
  await ffmpegRun(ffmpeg, ['-xerror', '-i', file, '-map', '0:a:0', ...limit, '-ac', '1', '-ar', String(rate), '-f', 's16le', '-c:a', 'pcm_s16le', tmp], code, `${file} does not decode`, signal);
  const buf = await readFile(tmp);
  const samples = new Int16Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 2));
  if (samples.length === 0) throw new ClipmillError(code, `${file} decodes to no audio`);
  return { rate, samples: new Int16Array(samples) };
}

/** Encodes PCM to an MP3 at `out`. */
export async function encodeMp3(ffmpeg: string, pcm: Pcm, rawTmp: string, out: string, signal?: AbortSignal): Promise<void> {
  await writeFile(rawTmp, new Uint8Array(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.byteLength));
  await ffmpegRun(ffmpeg, ['-f', 's16le', '-ar', String(pcm.rate), '-ac', '1', '-i', rawTmp, '-c:a', 'libmp3lame', '-q:a', '3', '-f', 'mp3', out], 'NARRATION_INVALID', `cannot encode ${out}`, signal);
}

/** Milliseconds of the ramps at each join. */
export const JOIN_RAMP_MS = 5;

/**
 * Pieces of one voice joined end to end without a click: each piece fades out over its last
 * JOIN_RAMP_MS and the next fades in over its first, so that at each join both sides are near
 * zero (a raw join of two pieces can jump from a peak to a trough in one sample). The ramps are
 * linear: a sample falls by at most peak/ramp-length per sample, below a voice's own steps.
 * Returns the joined PCM and where each piece starts, in seconds.
 */
export function joinPcm(pieces: readonly Pcm[]): { pcm: Pcm; offsets: number[] } {
  const rate = pieces[0]?.rate ?? 44100;
  const ramp = Math.max(1, Math.round((rate * JOIN_RAMP_MS) / 1000));
  const total = pieces.reduce((n, p) => n + p.samples.length, 0);
  const out = new Int16Array(total);
  const offsets: number[] = [];
  let at = 0;
  pieces.forEach((p, k) => {
    if (p.rate !== rate) throw new Error(`joinPcm: piece ${k} is at ${p.rate} Hz, not ${rate}`);
    offsets.push(at / rate);
    const n = p.samples.length;
    for (let i = 0; i < n; i++) {
      let g = 1;
      if (k > 0 && i < ramp) g = Math.min(g, i / ramp);
      if (k < pieces.length - 1 && i >= n - ramp) g = Math.min(g, (n - 1 - i) / ramp);
      out[at + i] = Math.round(p.samples[i]! * g);
    }
    at += n;
  });
  return { pcm: { rate, samples: out }, offsets };
}

/** The largest step between two consecutive samples in [from, to). */
export function largestStep(s: Int16Array, from = 0, to = s.length): number {
  let m = 0;
  for (let i = Math.max(1, from); i < Math.min(to, s.length); i++) m = Math.max(m, Math.abs(s[i]! - s[i - 1]!));
  return m;
}

/**
 * The stretches of sound of an audio file: what lies between the pauses silencedetect finds
 * (quieter than `noiseDb` for at least `minPause` seconds).
 */
export async function soundSpans(ffmpeg: string, file: string, opts: { noiseDb?: number; minPause?: number; signal?: AbortSignal } = {}): Promise<{ spans: Span[]; duration: number }> {
  const a = await analyze(ffmpeg, file, `silencedetect=n=${opts.noiseDb ?? -40}dB:d=${opts.minPause ?? 0.2}`, { signal: opts.signal, timeoutMs: 600_000 });
  return parseSilences(a.stderr);
}

/** silencedetect's log -> the stretches of sound between the silences, and the decoded length. */
export function parseSilences(stderr: string): { spans: Span[]; duration: number } {
  const silences: Span[] = [];
  let open: number | null = null;
  for (const line of stderr.split('\n')) {
    const s = /silence_start: (-?[\d.]+)/.exec(line);
    if (s) open = Math.max(0, Number(s[1]));
    const e = /silence_end: ([\d.]+)/.exec(line);
    if (e) {
      silences.push({ start: open ?? 0, end: Number(e[1]) });
      open = null;
    }
  }
  // The length decoded (ffmpeg's last report: the header's duration can lie).
  const duration = parseDecodedSeconds(stderr) ?? 0;
  if (open !== null) silences.push({ start: open, end: duration });
  const spans: Span[] = [];
  let t = 0;
  for (const s of silences) {
    if (s.start > t + 1e-3) spans.push({ start: t, end: s.start });
    t = Math.max(t, s.end);
  }
  if (duration > t + 1e-3) spans.push({ start: t, end: duration });
  return { spans, duration };
}
