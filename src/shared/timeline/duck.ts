// Ducking (DESIGN §3, docs/timeline.md): an audio track lowered by `db` decibels over spans
// of output seconds, e.g. music under the words of a voice. The schema of a track's `duck` and
// its filters, placed by audio.ts after the track is delayed to its start.
//
// The gain ramps, it never jumps: down over `attack` seconds that end where a span starts (the
// music is already low when the voice starts), up over `release` seconds that start where it
// ends. Spans closer than attack + release are one span (the music does not bounce between
// words). The ramp is linear in decibels: loudness is heard in decibels, so the level falls and
// rises at one even rate (db / attack dB a second); a ramp linear in amplitude would spend most
// of its time near the top and drop the last decibels (all of them, at 60 dB) at the very end,
// a pump of its own.
//
// FFmpeg 5.1 has no per-sample gain curve filter; `volume` with eval=frame evaluates an
// expression of `t` once per audio frame. Frames are cut to 1 ms (asetnsamples) before it, so
// the curve moves in steps of db * 1 ms / attack (0.23 dB for 18 dB over 80 ms): far below what
// is heard, where the step it replaces was the whole `db` in one sample.
//
// The expression is a binary search on t over the spans (if(lt(t,...),...,...), of which FFmpeg
// evaluates one branch): about log2(spans) comparisons a frame, 13 for 5000 spans, and nested
// as deep (FFmpeg's parser refuses about 100 levels; the sum of 5000 between() terms it
// replaces could not be parsed beyond 100 spans). 5000 spans make a graph longer than one
// command-line argument may be; Graph.filterArgs then hands it to ffmpeg in a file.
import { z } from 'zod';
import { secs } from './graph.js';

const seconds = (what: string, gt = false) => (gt ? z.number({ error: what }).gt(0, { error: what }) : z.number({ error: what }).min(0, { error: what }));
const between = (min: number, max: number) => z.number({ error: `a number from ${min} to ${max}` }).min(min, { error: `a number from ${min} to ${max}` }).max(max, { error: `a number from ${min} to ${max}` });

/** Seconds the level takes to go down before a span (default): fast enough to be down before the first syllable, slow enough not to be heard as a cut. */
export const DUCK_ATTACK = 0.08;
/** Seconds the level takes to come back after a span (default): a gentle return that does not breathe between sentences. */
export const DUCK_RELEASE = 0.25;

export const DuckSchema = z
  .strictObject(
    {
      db: between(0, 60),
      /** Seconds of the ramp down, ending where each span starts. */
      attack: between(0.01, 2).default(DUCK_ATTACK),
      /** Seconds of the ramp up, starting where each span ends. */
      release: between(0.01, 5).default(DUCK_RELEASE),
      /** Output seconds, in order, not overlapping. */
      spans: z.array(z.strictObject({ start: seconds('a number >= 0'), end: seconds('a number > 0', true) }, { error: 'an object' }), { error: 'a list of { "start", "end" }' }).max(5000, { error: 'at most 5000 spans' }),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'an object') },
  )
  .superRefine((d, ctx) => {
    d.spans.forEach((s, i, all) => {
      if (s.end <= s.start) ctx.addIssue({ code: 'custom', path: ['spans', i, 'end'], message: `a number above start (${s.start})`, input: s.end });
      else if (i > 0 && s.start < all[i - 1]!.end) ctx.addIssue({ code: 'custom', path: ['spans', i, 'start'], message: `a number >= the previous span's end (${all[i - 1]!.end})`, input: s.start });
    });
  });
export type Duck = z.infer<typeof DuckSchema>;

/** Samples per frame of the volume filter: 1 ms at the 48 kHz audio.ts resamples every track to. */
export const DUCK_FRAME = 48;

/** Where the gain moves: from `from` (the attack starts) to `to` (the release ends). */
export interface DuckRegion {
  from: number;
  to: number;
}

/** The spans as the ramps see them: spans closer than attack + release merged, widened by the ramps. */
export function duckRegions(d: Duck): DuckRegion[] {
  const merged: { start: number; end: number }[] = [];
  for (const s of d.spans) {
    const last = merged[merged.length - 1];
    // Spans are given to the millisecond: a gap of exactly attack + release keeps them apart,
    // whatever the float noise of start - end.
    if (last && s.start - last.end < d.attack + d.release - 1e-6) last.end = s.end;
    else merged.push({ start: s.start, end: s.end });
  }
  return merged.map((s) => ({ from: s.start - d.attack, to: s.end + d.release }));
}

/**
 * The gain as a volume expression of `t`: 10^(-db/20 * x), x the depth from 0 (full level) to 1
 * (down by db) in the region t falls in: (t - from) / attack on the way down, (to - t) / release
 * on the way up, 1 in between, below 0 outside (clipped). The regions do not overlap: the one
 * t is in, if any, is the last that starts at or before it, found by halving. t is NaN when
 * volume evaluates it before the first frame: 1 then, not a warning.
 */
export function duckExpression(d: Duck, regions: readonly DuckRegion[]): string {
  const search = (lo: number, hi: number): string => {
    if (hi - lo === 1) return `min((t-${secs(regions[lo]!.from)})/${secs(d.attack)},(${secs(regions[lo]!.to)}-t)/${secs(d.release)})`;
    const mid = (lo + hi) >> 1;
    return `if(lt(t,${secs(regions[mid]!.from)}),${search(lo, mid)},${search(mid, hi)})`;
  };
  return `if(isnan(t),1,pow(10,-${Math.round((d.db / 20) * 1e6) / 1e6}*clip(${search(0, regions.length)},0,1)))`;
}

/**
 * The ducking filters of a track, null when it has none: 1 ms frames into a volume filter that
 * evaluates the gain per frame, then frames of 1024 samples again for the filters after it.
 */
export function duckFilters(t: { duck?: Duck | undefined }): string[] | null {
  if (!t.duck || t.duck.db <= 0 || t.duck.spans.length === 0) return null;
  return [`asetnsamples=n=${DUCK_FRAME}:p=0`, `volume=volume='${duckExpression(t.duck, duckRegions(t.duck))}':eval=frame`, 'asetnsamples=n=1024:p=0'];
}
