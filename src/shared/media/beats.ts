// Beat analysis of a music track (DESIGN §4: analysed once, at ingest; never at render time):
// onsets by spectral flux with peak picking, and a tempo from the autocorrelation of the same
// flux, on mono PCM that ffmpeg decoded once. Pure and deterministic (no package, no
// randomness): the same samples give the same beats on every machine.
//
// Why our own detector and not aubio (Debian aubio-tools): a click track's onsets within 20 ms
// and a tempo are what the golden-frame planner needs, and 150 lines of TypeScript give them
// without a system package on every main worker, a second decoder, or parsing another tool's
// text output. aubio's default onset method is this same spectral-flux family.
//
// The method (Dixon 2006, "Onset detection revisited"; Böck et al. 2012):
//   1. STFT: a 1024-sample Hann window every 64 samples at 22050 Hz (2.9 ms per frame).
//   2. Log-compressed magnitudes, L = log(1 + 100·|X|); the flux of a frame is the sum of the
//      rises of L over the previous frame (decays do not count: an onset is new energy).
//   3. Peak picking: a frame is an onset when its flux is the largest within ±30 ms, exceeds
//      the mean of the flux around it (-100 ms..+70 ms) by delta, and lies 80 ms or more after
//      the previous onset. delta has an absolute floor, so that silence and a drone (a steady
//      tone: constant magnitudes, no flux) have no onsets at all.
//   4. The time of an onset: a click enters a frame at its right edge, and the log-compressed
//      rise is steepest soon after (the Hann window's slope over its small values, which the
//      log magnifies): the flux peaks about 19 ms (ONSET_LAG samples) before the frame's centre
//      reaches the click. That lag, measured on click tracks (test/shared/media/beats.test.ts:
//      within 2 ms at 97 and 120 bpm), is added back.
//   5. Tempo: the autocorrelation of the flux over lags of 60..200 bpm, weighted towards
//      120 bpm (log-Gaussian, one octave wide: a half or double tempo scores lower), the best
//      lag refined by a parabola through its neighbours.
//   6. Usable (unusableReason): at least MIN_USABLE_ONSETS onsets and a tempo; dense enough over
//      the analysed span (MIN_ONSETS_PER_MINUTE, a median gap of at most MAX_MEDIAN_GAP s); and
//      steady: at least MIN_ON_GRID of the gaps between onsets a whole number of half beats
//      (white noise has onsets every few tenths of a second and a spurious tempo, but its gaps
//      fall anywhere: about a third of them near the grid).
import { z } from 'zod';

export const BEATS_RATE = 22050;
const WINDOW = 1024;
const HOP = 64;
/** Below this flux (summed log-magnitude rises per bin) nothing is an onset: silence, a drone, dither. */
const FLUX_FLOOR = 0.02;
/** Samples between a frame's centre and the click whose flux peaks at that frame (step 4). */
const ONSET_LAG = 420;
/** Fewer onsets than this, or a tempo that is not found: no usable beats (the planner cuts at fixed lengths). */
export const MIN_USABLE_ONSETS = 4;
/** Onsets a minute of the analysed span at least, and the longest median gap between onsets (seconds): sparser is not a beat to cut on. */
export const MIN_ONSETS_PER_MINUTE = 20;
export const MAX_MEDIAN_GAP = 2;
/** The share of gaps between onsets that must fall on the half-beat grid of the tempo (within GRID_TOLERANCE of a grid step): noise has dense onsets and a spurious tempo, but its gaps fall anywhere. */
export const MIN_ON_GRID = 0.6;
const GRID_TOLERANCE = 0.15;

/**
 * Why onsets (seconds, ascending) over `analysed` seconds with `tempo` are no beat to cut on, or
 * undefined when they are (step 6 of the header).
 */
export function unusableReason(onsets: readonly number[], tempo: number | null, analysed: number): string | undefined {
  if (onsets.length < MIN_USABLE_ONSETS) return `${onsets.length} onset(s) found (silence, a drone or no percussion)`;
  if (tempo === null) return 'no tempo found';
  const perMinute = (onsets.length / Math.max(analysed, 1e-9)) * 60;
  if (perMinute < MIN_ONSETS_PER_MINUTE) return `${onsets.length} onset(s) in ${analysed} s: ${Math.round(perMinute)} a minute, fewer than ${MIN_ONSETS_PER_MINUTE} (too sparse to cut on)`;
  const gaps = onsets.slice(1).map((t, i) => t - onsets[i]!).sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  if (median > MAX_MEDIAN_GAP) return `the median gap between onsets is ${Math.round(median * 100) / 100} s, over ${MAX_MEDIAN_GAP} s (too sparse to cut on)`;
  const step = 30 / tempo;
  const onGrid = gaps.filter((g) => Math.round(g / step) >= 1 && Math.abs(g / step - Math.round(g / step)) <= GRID_TOLERANCE).length / gaps.length;
  if (onGrid < MIN_ON_GRID) return `${Math.round(onGrid * 100)}% of the gaps between onsets fall on the half beats of ${tempo} bpm, fewer than ${MIN_ON_GRID * 100}% (noise, or no steady beat)`;
  return undefined;
}

/** `<scanned track>.beats.json`: written by music ingest before the track is renamed in. */
export const BeatsSchema = z.strictObject({
  schema_version: z.literal(1),
  /** Seconds of the track analysed (the whole track, or its first BEATS_MAX_SECONDS). */
  analysed_seconds: z.number().min(0),
  /** Beats per minute; null when no tempo was found. */
  tempo: z.number().positive().nullable(),
  /** Onset times in seconds of the track, ascending. */
  onsets: z.array(z.number().min(0)),
  /** Whether the planner may cut on these onsets; false for silence, a drone, a failed analysis. */
  usable: z.boolean(),
  /** Why not usable (absent when usable). */
  reason: z.string().min(1).optional(),
});
export type Beats = z.infer<typeof BeatsSchema>;

/** The beats file of a scanned track: its full name plus `.beats.json`. */
export function beatsPath(scannedTrack: string): string {
  return `${scannedTrack}.beats.json`;
}

/** In-place iterative radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

/** The spectral flux of 16-bit mono samples at BEATS_RATE: one value per hop; frame i is centred on sample i*HOP. */
export function spectralFlux(samples: Int16Array): Float64Array {
  const frames = Math.max(0, Math.ceil(samples.length / HOP));
  const flux = new Float64Array(frames);
  const hann = new Float64Array(WINDOW);
  for (let i = 0; i < WINDOW; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / WINDOW);
  const bins = WINDOW / 2 + 1;
  let prev = new Float64Array(bins);
  let cur = new Float64Array(bins);
  const re = new Float64Array(WINDOW);
  const im = new Float64Array(WINDOW);
  for (let f = 0; f < frames; f++) {
    const start = f * HOP - WINDOW / 2;
    for (let i = 0; i < WINDOW; i++) {
      const s = start + i;
      re[i] = s >= 0 && s < samples.length ? (samples[s]! / 32768) * hann[i]! : 0;
      im[i] = 0;
    }
    fft(re, im);
    let sum = 0;
    for (let k = 0; k < bins; k++) {
      const l = Math.log1p(100 * Math.hypot(re[k]!, im[k]!));
      cur[k] = l;
      if (f > 0 && l > prev[k]!) sum += l - prev[k]!;
    }
    flux[f] = sum / bins;
    [prev, cur] = [cur, prev];
  }
  return flux;
}

/** Onset frames of a flux envelope (see the header, step 3). */
export function pickPeaks(flux: Float64Array, frameRate: number): number[] {
  const w = (ms: number) => Math.max(1, Math.round((ms / 1000) * frameRate));
  const [maxW, before, after, gap] = [w(30), w(100), w(70), w(80)];
  let top = 0;
  for (const v of flux) top = Math.max(top, v);
  const delta = Math.max(FLUX_FLOOR, 0.05 * top);
  const out: number[] = [];
  let last = -Infinity;
  for (let n = 0; n < flux.length; n++) {
    const v = flux[n]!;
    if (v < delta || n - last < gap) continue;
    let isMax = true;
    for (let k = Math.max(0, n - maxW); k <= Math.min(flux.length - 1, n + maxW) && isMax; k++) if (flux[k]! > v || (flux[k] === v && k < n)) isMax = false;
    if (!isMax) continue;
    let sum = 0;
    let count = 0;
    for (let k = Math.max(0, n - before); k <= Math.min(flux.length - 1, n + after); k++) (sum += flux[k]!, count++);
    if (v < sum / count + delta) continue;
    out.push(n);
    last = n;
  }
  return out;
}

/** Beats per minute from the flux's autocorrelation (step 5), or null when nothing repeats. */
export function estimateTempo(flux: Float64Array, frameRate: number): number | null {
  const n = flux.length;
  let mean = 0;
  for (const v of flux) mean += v;
  mean /= n || 1;
  const x = Float64Array.from(flux, (v) => v - mean);
  const lo = Math.floor((60 / 200) * frameRate);
  const hi = Math.ceil((60 / 60) * frameRate);
  if (n < 2 * hi) return null;
  const ac = new Float64Array(hi + 2);
  for (let lag = Math.max(1, lo - 1); lag <= hi + 1; lag++) {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += x[i]! * x[i + lag]!;
    ac[lag] = s / (n - lag);
  }
  let best = -1;
  let bestScore = 0;
  for (let lag = lo; lag <= hi; lag++) {
    const bpm = (60 * frameRate) / lag;
    const weight = Math.exp(-0.5 * Math.log2(bpm / 120) ** 2);
    const score = ac[lag]! * weight;
    // A local maximum of the autocorrelation only: a slope next to the true lag is not a tempo.
    if (ac[lag]! > 0 && ac[lag]! >= ac[lag - 1]! && ac[lag]! >= ac[lag + 1]! && score > bestScore) (best = lag, bestScore = score);
  }
  if (best < 0) return null;
  const [a, b, c] = [ac[best - 1]!, ac[best]!, ac[best + 1]!];
  const denom = a - 2 * b + c;
  const lag = denom < 0 ? best + (0.5 * (a - c)) / denom : best;
  return Math.round(((60 * frameRate) / lag) * 100) / 100;
}

/** The beats of 16-bit mono samples at BEATS_RATE. */
export function detectBeats(samples: Int16Array): Beats {
  const frameRate = BEATS_RATE / HOP;
  const flux = spectralFlux(samples);
  // Frame f is centred on sample f*HOP; its flux peaks ONSET_LAG samples before the click (step 4).
  const onsets = pickPeaks(flux, frameRate).map((f) => Math.round(((f * HOP + ONSET_LAG) / BEATS_RATE) * 1000) / 1000);
  const tempo = onsets.length >= 2 ? estimateTempo(flux, frameRate) : null;
  const analysed = Math.round((samples.length / BEATS_RATE) * 1000) / 1000;
  const reason = unusableReason(onsets, tempo, analysed);
  return { schema_version: 1, analysed_seconds: analysed, tempo, onsets, usable: reason === undefined, ...(reason ? { reason } : {}) };
}
