// The scene planner of vertical shorts (docs/shorts.md), pure: (words of the voice, catalog,
// rules, rng) -> beats, a visual per beat, and the timeline. No I/O; the same inputs and seed
// give the same plan.
//
//  1. Beats: the voice cut at sentence ends (or clause ends: , ; :) into beats of
//     BEAT.min..BEAT.max seconds; a clause longer than that is cut between words. Each beat
//     holds the words spoken in it and their keywords (short-keywords.ts).
//  2. Visuals (`local`): each beat's keywords are matched against every still's and every
//     clip's tags, original file name and category. A tag matches when all its words are among
//     the keywords ("red car" matches "a red car"); tag matches rank first, then name and
//     category matches. No asset is shown twice while another one that matches is unused; a
//     beat that matches nothing shows an unused asset of the short's category. Ties: the seed.
//  3. The timeline: stills with Ken Burns, footage cut to its beat (blur-fill when it is wider
//     than the short), a transition between beats, word-timed captions, the voice, and the
//     music ducked by rules.duckDb while words are spoken.
import type { Rng } from '../../shared/rng.js';
import { TimelineSchema, type CaptionsLayer, type Timeline, type TimelineInput, type TransitionType } from '../../shared/timeline/schema.js';
import type { Word } from '../../shared/words.js';
import type { CatalogAsset } from '../../shared/catalog.js';
import { round, selectAssets, type JobCatalog, type VideoAsset } from './job.js';
import { keywords, nameTerms } from './short-keywords.js';
import { planBeats, shortEnd, type Beat } from './short-beats.js';

export { BEAT, planBeats, shortEnd, type Beat } from './short-beats.js';
import type { Selector } from '../../shared/job.js';

type Visual = Extract<CatalogAsset, { kind: 'image' }> | VideoAsset;

/** What one asset is matched by: its tags' keywords (each tag whole), its original name's and its category's. */
interface Terms {
  tags: { tag: string; words: string[] }[];
  name: string[];
  category: string[];
}

function termsOf(a: Visual, original: string | null): Terms {
  return {
    tags: a.tags.map((tag) => ({ tag, words: keywords(tag) })).filter((t) => t.words.length > 0),
    name: original ? nameTerms(original) : [],
    category: keywords(a.category),
  };
}

/** How well an asset matches a beat: the tags it matches, and a score (3 per tag word, 2 per name word, 1 per category word). */
export function matchAsset(beatKeywords: readonly string[], t: Terms): { tags: string[]; score: number } {
  const has = new Set(beatKeywords);
  const tags = t.tags.filter((x) => x.words.every((w) => has.has(w)));
  const score = 3 * tags.reduce((n, x) => n + x.words.length, 0) + 2 * t.name.filter((w) => has.has(w)).length + t.category.filter((w) => has.has(w)).length;
  return { tags: tags.map((x) => x.tag), score };
}

export interface BeatVisual {
  beat: Beat;
  asset: Visual;
  /** The asset's tags the beat's words matched. */
  matched: string[];
  score: number;
}

const pick = <T>(items: readonly T[], rng: Rng): T => items[Math.floor(rng() * items.length)]!;

/**
 * A visual for each beat (see the head of this file). `pool`: the stills and clips to choose
 * from, in a stable order; `category`: the short's own, preferred for beats that match nothing.
 */
export function chooseVisuals(beats: readonly Beat[], pool: readonly Visual[], category: string, rng: Rng, originalName: (path: string) => string | null = () => null): BeatVisual[] {
  const terms = pool.map((a) => termsOf(a, originalName(a.path)));
  const used = new Map<string, number>();
  const out: BeatVisual[] = [];
  for (const beat of beats) {
    // An llm beat asks for footage or a still: the other kind is left out (unless none of its kind exists).
    const kind = beat.assetType === 'footage' ? 'video' : beat.assetType === 'still' ? 'image' : null;
    const all = pool.map((asset, i) => ({ asset, ...matchAsset(beat.keywords, terms[i]!) }));
    const scored = kind && all.some((x) => x.asset.kind === kind) ? all.filter((x) => x.asset.kind === kind) : all;
    const fresh = (xs: typeof scored) => xs.filter((x) => !used.has(x.asset.path));
    const best = (xs: typeof scored) => {
      const top = Math.max(...xs.map((x) => x.score));
      return xs.filter((x) => x.score === top);
    };
    // Tiers: assets whose tags match, then those whose name or category matches, then the rest.
    const tiers = [scored.filter((x) => x.tags.length > 0), scored.filter((x) => x.tags.length === 0 && x.score > 0)];
    let chosen: (typeof scored)[number] | null = null;
    for (const tier of tiers) {
      if (!tier.length) continue;
      const unused = fresh(tier);
      chosen = pick(best(unused.length ? unused : leastUsed(tier, used)), rng);
      break;
    }
    if (!chosen) {
      const own = scored.filter((x) => x.asset.category === category);
      const candidates = fresh(own).length ? fresh(own) : fresh(scored).length ? fresh(scored) : leastUsed(own.length ? own : scored, used);
      chosen = pick(candidates, rng);
    }
    used.set(chosen.asset.path, (used.get(chosen.asset.path) ?? 0) + 1);
    out.push({ beat, asset: chosen.asset, matched: chosen.tags, score: chosen.score });
  }
  return out;
}

function leastUsed<T extends { asset: { path: string } }>(xs: T[], used: ReadonlyMap<string, number>): T[] {
  const min = Math.min(...xs.map((x) => used.get(x.asset.path) ?? 0));
  return xs.filter((x) => (used.get(x.asset.path) ?? 0) === min);
}

export interface ShortRules {
  width: number;
  height: number;
  fps: number;
  quality: Timeline['output']['quality'];
  captionStyle: CaptionsLayer['style'];
  musicVolume: number;
  duckDb: number;
  transition: TransitionType;
  transitionSeconds: number;
}

export interface ShortInput {
  /** The voice (root-relative) and how long it lasts. */
  audio: string;
  duration: number;
  /** Its word timings file (root-relative) and the words in it. */
  wordsFile: string;
  words: readonly Word[];
  category: string;
  targetSeconds?: number | undefined;
  /** The music: a selector, or absent for the category's music (none when it has none). */
  music?: Selector | undefined;
  /** Beats planned elsewhere (the llm planner, checked); absent: planBeats. */
  beats?: readonly Beat[] | undefined;
}

export interface ShortPlan {
  timeline: Timeline;
  visuals: BeatVisual[];
  music: { path: string; duration: number } | null;
  seconds: number;
}

export type ShortPlanResult = { ok: true; plan: ShortPlan } | { ok: false; waiting: string };

/** The spans of speech (output seconds) the music ducks under: words closer than 0.4 s run together. */
export function speechSpans(words: readonly Word[], end: number): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (const w of words) {
    const a = Math.max(0, w.start - 0.05);
    const b = Math.min(end, w.end + 0.1);
    if (b <= a) continue;
    const last = spans[spans.length - 1];
    if (last && a - last.end < 0.4) last.end = Math.max(last.end, b);
    else spans.push({ start: a, end: b });
  }
  return spans.map((s) => ({ start: round(s.start), end: round(s.end) })).filter((s) => s.end > s.start);
}

/** A Ken Burns move: a slow zoom in or out around a point near the middle, drawn from the seed. */
function kenBurns(rng: Rng): { from: { zoom: number; x: number; y: number }; to: { zoom: number; x: number; y: number } } {
  const zoomIn = rng() < 0.5;
  const near = () => round(0.4 + rng() * 0.2, 3);
  const wide = { zoom: 1, x: 0.5, y: 0.5 };
  const close = { zoom: round(1.12 + rng() * 0.08, 3), x: near(), y: near() };
  return zoomIn ? { from: wide, to: close } : { from: close, to: wide };
}

type SegmentInput = NonNullable<TimelineInput['video']>[number];
const lenOf = (s: SegmentInput): number => (s.type === 'clip' ? s.out - (s.in ?? 0) : s.duration);

/** `originalName`: the name a clip or still was dropped under (its asset record's raw_path), null when unknown. */
export function planShort(input: ShortInput, catalog: JobCatalog, rules: ShortRules, rng: Rng, originalName: (path: string) => string | null = () => null): ShortPlanResult {
  const end = shortEnd(input.words, input.duration, input.targetSeconds);
  const beats = input.beats ?? planBeats(input.words, end);
  const pool = catalog.assets().filter((a): a is Visual => a.kind === 'video' || a.kind === 'image');
  if (!pool.length) return { ok: false, waiting: 'no footage (scanned/video/) or stills (scanned/image/) to show: the catalog has none' };
  const visuals = chooseVisuals(beats, pool, input.category, rng, originalName);
  const outAspect = rules.width / rules.height;
  const segments: NonNullable<TimelineInput['video']> = [];
  let prevLen = Infinity;
  for (const [k, v] of visuals.entries()) {
    const len = round(v.beat.end - v.beat.start, 6);
    const wide = v.asset.width / v.asset.height > outAspect * 1.05;
    const fit = wide ? 'blur-fill' : 'crop';
    const pieces: NonNullable<TimelineInput['video']> = [];
    const asset = v.asset;
    if (asset.kind === 'image') {
      pieces.push({ type: 'still', file: asset.path, duration: len, fit, ken_burns: kenBurns(rng) });
    } else {
      // Footage: a stretch of the clip as long as the beat, or the clip again and again when it is shorter.
      const clip = asset;
      if (clip.duration >= len) {
        const inPoint = round(rng() * (clip.duration - len));
        pieces.push({ type: 'clip', file: clip.path, in: inPoint, out: round(inPoint + len), fit });
      } else {
        let left = len;
        while (left > 1e-6) {
          const piece = Math.min(clip.duration, left);
          pieces.push({ type: 'clip', file: clip.path, in: 0, out: round(piece), fit });
          left = round(left - piece, 6);
        }
      }
    }
    const firstLen = lenOf(pieces[0]!);
    // The transition into the beat: shorter than both sides, or a cut when a side is too short for one.
    const td = round(Math.min(rules.transitionSeconds, 0.45 * Math.min(prevLen, firstLen)), 3);
    const type = v.beat.transition ?? rules.transition;
    if (k > 0 && type !== 'cut' && td >= 1 / rules.fps) pieces[0] = { ...pieces[0]!, transition: { type, duration: td } };
    segments.push(...pieces);
    const lastPiece = pieces[pieces.length - 1]!;
    prevLen = lenOf(lastPiece);
  }

  // Music: the selector's, else the category's; the longest first (fewer loops), ties by the seed.
  const tracks = selectAssets(input.music ?? { category: input.category }, ['music'], catalog) as Extract<CatalogAsset, { kind: 'music' }>[];
  if (input.music && !tracks.length) return { ok: false, waiting: `music: no music of ${input.music.id !== undefined ? `id ${input.music.id}` : `category ${input.music.category}${input.music.tags?.length ? ` with tags ${input.music.tags.join(', ')}` : ''}`} in scanned/music/` };
  const long = tracks.filter((m) => m.duration >= end);
  const m = tracks.length ? pick(long.length ? long : tracks, rng) : null;
  const audio: NonNullable<TimelineInput['audio']> = [{ file: input.audio, start: 0, ...(end < input.duration - 1e-3 ? { out: end } : {}), volume: 1, fade_out: end < input.duration - 1e-3 ? 0.3 : 0 }];
  if (m) {
    const spans = speechSpans(input.words, end);
    audio.push({ file: m.path, start: 0, duration: end, loop: true, volume: rules.musicVolume, fade_in: round(Math.min(0.5, end / 8)), fade_out: round(Math.min(1, end / 4)), ...(spans.length ? { duck: { db: rules.duckDb, spans } } : {}) });
  }
  const size = Math.max(8, Math.round(rules.height * 0.04));
  const layers: NonNullable<TimelineInput['layers']> = input.words.length
    ? [{ type: 'captions', words: input.wordsFile, style: rules.captionStyle, position: 'bottom', size, max_chars: 24, stroke: { color: '#000000', width: Math.max(1, Math.round(size / 12)) }, end }]
    : [];
  const timeline = TimelineSchema.parse({
    output: { width: rules.width, height: rules.height, fps: rules.fps, duration: end, quality: rules.quality },
    video: segments,
    layers,
    audio,
  } satisfies TimelineInput);
  return { ok: true, plan: { timeline, visuals, music: m ? { path: m.path, duration: m.duration } : null, seconds: end } };
}
