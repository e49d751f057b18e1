// Real renders of timelines for the tests, and what they are checked with: tiny media whose
// pixels and samples encode what they are (solid colours, one colour per second, sine tones),
// decoded frames as RGB, audio as float samples, levels in dB and a tone's frequency.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { compileTimeline, type Compiled } from '../../../src/shared/timeline/compile.js';
import { TimelineSchema, timelineFiles, type Timeline, type TimelineInput } from '../../../src/shared/timeline/schema.js';
import { binaries, testConfig } from '../../helpers.js';

async function ffmpeg(args: string[]): Promise<Buffer> {
  const { ffmpeg: bin } = await binaries();
  const r = await execa(bin.path, ['-hide_banner', '-nostdin', '-v', 'error', ...args], { encoding: 'buffer', reject: false });
  if (r.failed) throw new Error(`ffmpeg ${args.join(' ')} failed: ${Buffer.from(r.stderr).toString()}`);
  return Buffer.from(r.stdout);
}

const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4'];

/** The fixture media (made once per test file by makeMedia), named as the timelines name them. */
export const MEDIA = {
  /** 160x90, 30 fps, 4 s: red, green, blue, white, one second each. One keyframe (-g 300) and B-frames: inpoints fall between keyframes, outpoints before reordered frames. */
  colors: 'colors.mp4',
  /** 160x90, 1 s: the left half red, the right half blue. */
  halves: 'halves.mp4',
  /** 160x90, 1 s: black, a white 40x30 rectangle in the middle (a looped layer). */
  spot: 'spot.mp4',
  /** 32x32 opaque red PNG. */
  red: 'red.png',
  /** Stereo 48 kHz sines, amplitude 0.25 (-15.05 dBFS RMS per channel): 440 Hz for 1 s and for 3 s, 1000 Hz for 0.5 s. */
  a440: 'a440.wav',
  a440long: 'a440-3s.wav',
  b1000: 'b1000.wav',
} as const;

/** The RMS level of MEDIA's tones, per channel, in dBFS. */
export const TONE_DB = 20 * Math.log10(0.25 / Math.SQRT2);

const tone = (freq: number, seconds: number, out: string) => ['-f', 'lavfi', '-i', `aevalsrc=0.25*sin(2*PI*${freq}*t)|0.25*sin(2*PI*${freq}*t):s=48000:d=${seconds}:c=stereo`, '-c:a', 'pcm_s16le', '-f', 'wav', out];

/** Makes every MEDIA file in `dir`. */
export async function makeMedia(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const p = (name: string) => join(dir, name);
  const parts = ['red', '0x00ff00', 'blue', 'white'].map((c) => ['-f', 'lavfi', '-i', `color=c=${c}:s=160x90:r=30:d=1`]).flat();
  await Promise.all([
    ffmpeg(['-y', ...parts, '-filter_complex', '[0][1][2][3]concat=n=4:v=1:a=0', '-c:v', 'libx264', '-preset', 'medium', '-bf', '3', '-g', '300', '-pix_fmt', 'yuv420p', '-f', 'mp4', p(MEDIA.colors)]),
    ffmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=red:s=160x90:r=30:d=1', '-vf', 'drawbox=x=80:y=0:w=80:h=90:color=blue:t=fill', ...X264, p(MEDIA.halves)]),
    ffmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=black:s=160x90:r=30:d=1', '-vf', 'drawbox=x=60:y=30:w=40:h=30:color=white:t=fill', ...X264, p(MEDIA.spot)]),
    ffmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=red:s=32x32,format=rgba', '-frames:v', '1', p(MEDIA.red)]),
    ffmpeg(['-y', ...tone(440, 1, p(MEDIA.a440))]),
    ffmpeg(['-y', ...tone(440, 3, p(MEDIA.a440long))]),
    ffmpeg(['-y', ...tone(1000, 0.5, p(MEDIA.b1000))]),
  ]);
}

/** `input` with its defaults filled in. */
export function timeline(input: TimelineInput): Timeline {
  return TimelineSchema.parse(input);
}

/** Runs ffmpeg with `argv` (after -hide_banner -nostdin -v error); throws with its stderr when it fails. */
export async function runFfmpeg(argv: string[]): Promise<void> {
  await ffmpeg(argv);
}

/**
 * Compiles `tl` (libx264), writes its files, runs ffmpeg; returns the output's path and what
 * the compiler expected. `files`: the folder of every file the timeline names, or their paths.
 */
export async function render(tl: Timeline, files: string | ReadonlyMap<string, string>, outDir: string, name: string, extra: Partial<Pick<Parameters<typeof compileTimeline>[1], 'sources' | 'durations'>> = {}): Promise<{ path: string; compiled: Compiled }> {
  const paths = typeof files === 'string' ? new Map(timelineFiles(tl).map((f) => [f, join(files, f)])) : files;
  const path = join(outDir, `${name}.mp4`);
  const compiled = compileTimeline(tl, { paths, workDir: join(outDir, `${name}.work`), output: path, ...extra }, encoderSpec('libx264', testConfig()), { audioBitrate: '192k', progress: false });
  for (const f of compiled.files) {
    await mkdir(dirname(f.path), { recursive: true });
    await writeFile(f.path, f.content);
  }
  await ffmpeg(compiled.argv);
  return { path, compiled };
}

export type Rgb = [number, number, number];

/** A decoded frame, RGB. */
export interface Frame {
  width: number;
  height: number;
  data: Buffer;
  at(x: number, y: number): Rgb;
}

/** The mean absolute difference of two frames' bytes (0 to 255). */
export function meanDifference(a: Frame, b: Frame): number {
  if (a.data.length !== b.data.length) return 255;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** The frame shown at `t` seconds of a video at `fps`. */
export async function frameAt(file: string, t: number, width: number, height: number, fps = 30): Promise<Frame> {
  // -ss keeps the first frame at or after the time: half a frame before the frame wanted.
  const n = Math.floor(t * fps + 1e-6);
  const data = await ffmpeg(['-ss', String(Math.max(0, (n - 0.5) / fps)), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  if (data.length !== width * height * 3) throw new Error(`a ${width}x${height} frame at ${t} s has ${data.length} bytes`);
  return { width, height, data, at: (x, y) => [data[(y * width + x) * 3]!, data[(y * width + x) * 3 + 1]!, data[(y * width + x) * 3 + 2]!] };
}

/** One pixel of every frame, in order: its colour over time (and the number of frames). */
export async function pixelTrack(file: string, x: number, y: number): Promise<Rgb[]> {
  const data = await ffmpeg(['-i', file, '-vf', `format=rgb24,crop=1:1:${x}:${y}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  const out: Rgb[] = [];
  for (let i = 0; i + 2 < data.length; i += 3) out.push([data[i]!, data[i + 1]!, data[i + 2]!]);
  return out;
}

/** The nearest of a few named colours, for readable frame-by-frame assertions. */
export function colorName([r, g, b]: Rgb): string {
  const names: Record<string, Rgb> = { red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255], white: [255, 255, 255], black: [0, 0, 0], gray: [128, 128, 128] };
  let best = '?';
  let bestD = Infinity;
  for (const [n, c] of Object.entries(names)) {
    const d = Math.abs(r - c[0]) + Math.abs(g - c[1]) + Math.abs(b - c[2]);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return bestD < 90 ? best : '?';
}

/** Runs of equal names: ['red', 'red', 'blue'] -> 'red x2, blue x1'. */
export function runs(names: string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < names.length) {
    let j = i;
    while (j < names.length && names[j] === names[i]) j++;
    out.push(`${names[i]} x${j - i}`);
    i = j;
  }
  return out.join(', ');
}

/** The first audio stream's samples from `start` for `seconds`, per channel, 48 kHz float. */
export async function samples(file: string, start = 0, seconds?: number): Promise<Float32Array[]> {
  const data = await ffmpeg(['-ss', String(start), ...(seconds !== undefined ? ['-t', String(seconds)] : []), '-i', file, '-map', '0:a:0', '-ac', '2', '-ar', '48000', '-f', 'f32le', '-']);
  const all = new Float32Array(data.buffer, data.byteOffset, data.length / 4);
  const left = new Float32Array(all.length / 2);
  const right = new Float32Array(all.length / 2);
  for (let i = 0; i < left.length; i++) {
    left[i] = all[2 * i]!;
    right[i] = all[2 * i + 1]!;
  }
  return [left, right];
}

/** The RMS level of `s` in dBFS (-Infinity for silence). */
export function rmsDb(s: Float32Array): number {
  let sum = 0;
  for (const v of s) sum += v * v;
  return 10 * Math.log10(sum / s.length);
}

/** The frequency of a pure tone: rising zero crossings per second. */
export function toneHz(s: Float32Array, rate = 48000): number {
  let crossings = 0;
  let first = -1;
  let last = -1;
  for (let i = 1; i < s.length; i++) {
    if (s[i - 1]! < 0 && s[i]! >= 0) {
      if (first < 0) first = i;
      last = i;
      crossings++;
    }
  }
  return crossings > 1 ? ((crossings - 1) * rate) / (last - first) : 0;
}
