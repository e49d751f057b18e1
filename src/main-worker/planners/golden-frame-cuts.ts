// The cuts of a golden-frame video (docs/golden-frame.md), pure: where the shots change, on the
// frame grid, each shot within shot_seconds; on the music's onsets when it has usable beats
// (looped with the track), else at fixed lengths.
import type { Beats } from '../../shared/media/beats.js';
import { BEATS_MAX_SECONDS } from '../ingest/beats.js';

/**
 * Onsets of a track played from output 0 up to `seconds`, looped when the track is shorter. The
 * loop period is the decoded length (beats.analysed_seconds) when the whole track was analysed
 * (shorter than BEATS_MAX_SECONDS); the file name's duration is rounded, and the error would
 * add up loop after loop. A track analysed in part: its onsets of the first play only, `until`
 * the analysed length (the planner cuts at fixed lengths after it, and says so).
 */
export function playedOnsets(beats: Beats, seconds: number): { onsets: number[]; until: number } {
  const period = beats.analysed_seconds;
  if (period <= 0) return { onsets: [], until: 0 };
  const whole = period < BEATS_MAX_SECONDS - 1e-6;
  const until = whole ? seconds : Math.min(seconds, period);
  const out: number[] = [];
  for (let loop = 0; loop * period < until; loop++) {
    for (const o of beats.onsets) if (o < period) out.push(loop * period + o);
  }
  return { onsets: out.filter((t) => t < until), until };
}

/**
 * The shot count of a `seconds`-long video at fixed lengths near `ideal`: round(seconds/ideal)
 * kept between ceil(seconds/max) and floor(seconds/min), so that every shot lies within
 * min..max; `fits` is false when no count does (ceil > floor: the range is narrower than the
 * duration allows), the count then the one nearest the ideal.
 */
export function fixedCount(seconds: number, ideal: number, range: { min: number; max: number }): { count: number; fits: boolean } {
  const eps = 1e-9;
  const least = Math.max(1, Math.ceil(seconds / range.max - eps));
  const most = Math.floor(seconds / range.min + eps);
  const want = Math.max(1, Math.round(seconds / ideal));
  if (least > most) return { count: want, fits: false };
  return { count: Math.min(most, Math.max(least, want)), fits: true };
}

/**
 * The cut times of a `seconds`-long video of shots min..max long with an ideal length `ideal`,
 * on the frame grid (1/fps).
 *
 * Without onsets: `fixedCount` shots of equal length, each cut snapped to the nearest frame.
 * A shot then lies within min..max to less than one frame (two snapped ends): half a frame
 * cannot be promised (8 shots of 45.6 frames make 365 frames of whole-frame shots, one of them
 * 45). `fits` false: no count fits min..max at all (see fixedCount).
 *
 * With onsets: by dynamic programming over candidate cut points (a greedy choice can leave a
 * last shot no onset fits), the series whose shots all lie within min..max (to half a frame:
 * whole frames nearest the range) with the fewest cuts off an onset (`fixed`), then the least
 * sum of squared differences from the ideal. The candidates are the snapped onsets and every
 * frame (every few frames for a long video with long shots, to bound the work), the latter
 * counting as fixed cuts: so a series is found whenever the onsets leave gaps longer than max.
 * When the DP finds none (the coarse grid of a long video missed it), the fixed lengths, every
 * cut counted as fixed.
 */
export function planCuts(seconds: number, ideal: number, range: { min: number; max: number }, fps: number, onsets: readonly number[] | null): { cuts: number[]; fixed: number; fits: boolean } {
  const snap = (t: number) => Math.round(t * fps) / fps;
  const eps = 1e-9;
  const fixedCuts = () => {
    const { count, fits } = fixedCount(seconds, ideal, range);
    const cuts: number[] = [];
    for (let k = 1; k < count; k++) cuts.push(snap((k * seconds) / count));
    return { cuts: [...new Set(cuts)].filter((c) => c > 0 && c < seconds), fits };
  };
  if (!onsets) return { ...fixedCuts(), fixed: 0 };
  if (seconds <= range.max + eps) return { cuts: [], fixed: 0, fits: true };
  // In frames: the end (maybe between frames), the shortest and longest shot to half a frame.
  const end = seconds * fps;
  const lo = range.min * fps - 0.5 - eps;
  const hi = range.max * fps + 0.5 + eps;
  const onsetFrames = new Set(onsets.map((o) => Math.round(o * fps)).filter((f) => f > 0 && f < end - eps));
  // Synthetic points every `step` frames: every frame unless that makes the DP long (points x longest shot).
  const step = Math.max(1, Math.ceil((end * hi) / 4e6));
  const all = new Set(onsetFrames);
  for (let f = step; f < end - eps; f += step) all.add(f);
  const points = [0, ...[...all].sort((a, b) => a - b), end];
  const n = points.length;
  const fixedAt = new Array<number>(n).fill(Infinity);
  const cost = new Array<number>(n).fill(Infinity);
  const prev = new Array<number>(n).fill(-1);
  fixedAt[0] = 0;
  cost[0] = 0;
  for (let j = 1; j < n; j++) {
    const synthetic = j < n - 1 && !onsetFrames.has(points[j]!) ? 1 : 0;
    for (let i = j - 1; i >= 0; i--) {
      const len = points[j]! - points[i]!;
      if (len > hi) break;
      if (len < lo || fixedAt[i] === Infinity) continue;
      const f = fixedAt[i]! + synthetic;
      const c = cost[i]! + (len / fps - ideal) ** 2;
      if (f < fixedAt[j]! || (f === fixedAt[j]! && c < cost[j]! - eps)) (fixedAt[j] = f, cost[j] = c, prev[j] = i);
    }
  }
  if (fixedAt[n - 1] === Infinity) {
    const { cuts, fits } = fixedCuts();
    return { cuts, fixed: cuts.length, fits };
  }
  const cuts: number[] = [];
  for (let k = prev[n - 1]!; k > 0; k = prev[k]!) cuts.unshift(points[k]! / fps);
  return { cuts, fixed: fixedAt[n - 1]!, fits: true };
}
