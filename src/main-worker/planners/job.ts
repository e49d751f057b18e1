// The job planner (docs/jobs.md), pure: (job, source, variation, catalog, rules, rng) -> the
// timeline of one variation and what metadata.json records of it. No I/O; the same inputs and
// seed give the same plan.
//
// Draw order (reproducibility): narration takes, music, logo, then each part's clips, then the
// texts, then the effects. Every asset drawn must pair with every one drawn before it
// (src/shared/tags.ts): so no video ever holds two tagged assets without a common tag, and a
// text asset lies only over footage whose tags it matches.
import { hasAllTags, Pairing } from '../../shared/tags.js';
import type { Job, NarrationSelector, Selector, TextSpec } from '../../shared/job.js';
import { jobOutput } from '../../shared/job.js';
import type { Rng } from '../../shared/rng.js';
import { TimelineSchema, type Timeline, type TimelineInput } from '../../shared/timeline/schema.js';
import type { Catalog, CatalogAsset, CatalogNarrationPart } from '../../shared/catalog.js';
import { sourceSoundTrack } from './job-sound.js';

/** What the planner reads of the catalog (tests build it by hand or with Catalog.add). */
export type JobCatalog = Pick<Catalog, 'byId' | 'assets' | 'narration'>;
export type VideoAsset = Extract<CatalogAsset, { videoClass: string }>;
type Kind = CatalogAsset['kind'];

export interface JobRules {
  /** The configured output, for what the job leaves out. */
  width: number;
  height: number;
  fps: number;
  /** Installed font families, for texts without `fonts` (10 combinations are drawn from). */
  fonts: readonly string[];
}

export interface JobShot {
  path: string;
  duration: number;
  in: number;
  out: number;
}

export interface JobPlan {
  timeline: Timeline;
  /** Every clip segment in order, the source first (metadata's video_files). */
  shots: JobShot[];
  /** The take of each part's narration, in part order. */
  narrations: CatalogNarrationPart[];
  music: { path: string; duration: number; volume: number } | null;
  logo: string | null;
  /** The texts drawn: the words, the text asset's id (null for a literal text), the font and size. */
  texts: { text: string; id: string | null; font: string; size: number }[];
  /** Seconds of the output (after speed). */
  seconds: number;
  /** The shot list that makes this variation distinct: clip paths in order, and the narration takes. */
  sequence: string[];
}

export type JobPlanResult = { ok: true; plan: JobPlan } | { ok: false; waiting: string };

export const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
/** A selector in words, for a waiting reason. */
export const describe = (s: Selector) => (s.id !== undefined ? `id ${s.id}` : `category ${s.category}${s.tags?.length ? ` with tags ${s.tags.join(', ')}` : ''}`);

/** The assets of `kinds` a selector names, in the catalog's order. */
export function selectAssets(sel: Selector, kinds: readonly Kind[], catalog: JobCatalog): CatalogAsset[] {
  if (sel.id !== undefined) {
    const a = catalog.byId(sel.id);
    return a && kinds.includes(a.kind) ? [a] : [];
  }
  return catalog.assets().filter((a) => kinds.includes(a.kind) && 'category' in a && a.category === sel.category && hasAllTags(a.tags, sel.tags ?? []));
}

/** The videos a job's sources select, once each, in selector order; and the selectors that select none. */
export function jobSources(job: Job, catalog: JobCatalog): { sources: VideoAsset[]; unmatched: string[] } {
  const seen = new Set<string>();
  const sources: VideoAsset[] = [];
  const unmatched: string[] = [];
  job.sources.forEach((sel, i) => {
    const found = selectAssets(sel, ['video'], catalog) as VideoAsset[];
    if (!found.length) unmatched.push(`sources[${i}] (${describe(sel)}) selects no footage in scanned/video/`);
    for (const a of found) if (!seen.has(a.path)) (seen.add(a.path), sources.push(a));
  });
  return { sources, unmatched };
}

const pick = <T>(items: readonly T[], rng: Rng): T => items[Math.floor(rng() * items.length)]!;

function narrationTakes(sel: NarrationSelector, catalog: JobCatalog): CatalogNarrationPart[] {
  if (sel.id !== undefined) {
    const a = catalog.byId(sel.id);
    return a?.kind === 'narration' ? [a] : [];
  }
  return catalog.narration(sel.category!, sel.campaign!).get(sel.part!) ?? [];
}

/** The font x size combinations a text draws from: its own, else 10 from the installed fonts. */
export function fontChoices(spec: TextSpec, rules: JobRules, short: number): { font: string; size: number }[] {
  const sizes = spec.sizes ?? [Math.max(4, Math.round(short * 0.07)), Math.max(4, Math.round(short * 0.09))];
  const fonts = spec.fonts ?? (rules.fonts.length ? rules.fonts.slice(0, Math.ceil(10 / sizes.length)) : ['Noto Sans']);
  const out: { font: string; size: number }[] = [];
  for (const font of fonts) for (const size of sizes) out.push({ font, size });
  return spec.fonts || spec.sizes ? out : out.slice(0, 10);
}

/**
 * The segments of one part: `clips` shots drawn from the pool (each different while the pool
 * allows, each pairing with everything drawn), each shown for a length in clip_seconds, the
 * list looped or cut with hard cuts to fill `seconds`.
 */
function partShots(pool: VideoAsset[], count: number, range: { min: number; max: number }, seconds: number, fps: number, pairing: Pairing, rng: Rng): JobShot[] | null {
  const drawn: { clip: VideoAsset; len: number; in: number }[] = [];
  for (let k = 0; k < count; k++) {
    const fresh = pool.filter((c) => pairing.fits(c.tags) && !drawn.some((d) => d.clip.path === c.path));
    // More clips asked than the footage has: shots repeat (those drawn pair with everything).
    const candidates = fresh.length ? fresh : drawn.map((d) => d.clip);
    if (!candidates.length) return null;
    const clip = pick(candidates, rng);
    pairing.add(clip.tags);
    // At least a frame (a shorter shot would show nothing), at most the clip.
    const len = Math.min(clip.duration, Math.max(1 / fps, range.min + rng() * (range.max - range.min)));
    const start = rng() * Math.max(0, clip.duration - len);
    drawn.push({ clip, len: round(len), in: round(start) });
  }
  const out: JobShot[] = [];
  let left = round(seconds, 6);
  for (let i = 0; left > 1e-6; i = (i + 1) % drawn.length) {
    const d = drawn[i]!;
    let len = Math.min(d.len, left);
    // No sliver of less than a frame at the end: this shot runs on to the end when its clip allows.
    if (left - len > 0 && left - len < 1 / fps && d.in + left <= d.clip.duration) len = left;
    const inPoint = Math.min(d.in, Math.max(0, round(d.clip.duration - len)));
    out.push({ path: d.clip.path, duration: d.clip.duration, in: inPoint, out: round(inPoint + len) });
    left = round(left - len, 6);
    if (len <= 0) break;
  }
  return out;
}

/** Attempts at a shot list no other variation has, before one is accepted as it is. */
const DISTINCT_TRIES = 20;

/**
 * One variation of `source`. `avoid`: the sequences of the source's other variations; a plan
 * repeating one is drawn again, a bounded number of times (a catalog may allow only one).
 */
export function planJob(input: { job: Job; source: VideoAsset }, catalog: JobCatalog, rules: JobRules, rng: Rng, avoid: readonly (readonly string[])[] = []): JobPlanResult {
  const seen = new Set(avoid.map((s) => s.join('\n')));
  let result = drawOnce(input, catalog, rules, rng);
  for (let i = 1; i < DISTINCT_TRIES && result.ok && seen.has(result.plan.sequence.join('\n')); i++) result = drawOnce(input, catalog, rules, rng);
  return result;
}

function drawOnce({ job, source }: { job: Job; source: VideoAsset }, catalog: JobCatalog, rules: JobRules, rng: Rng): JobPlanResult {
  const out = jobOutput(job, rules);
  const short = Math.min(out.width, out.height);
  const pairing = new Pairing();
  pairing.add(source.tags);
  const src = `source ${source.path}`;
  const parts = job.parts ?? [];
  // Narration: one take per part.
  const narrations: CatalogNarrationPart[] = [];
  for (const [i, p] of parts.entries()) {
    const takes = narrationTakes(p.narration, catalog);
    const what = p.narration.id !== undefined ? `narration ${p.narration.id}` : `narration part ${p.narration.part} in scanned/narration/${p.narration.category}/${p.narration.campaign}/`;
    if (!takes.length) return { ok: false, waiting: `parts[${i}]: no ${what}` };
    const fit = takes.filter((t) => pairing.fits(t.tags));
    if (!fit.length) return { ok: false, waiting: `parts[${i}]: no take of ${what} shares a tag with ${src} and the other assets` };
    const take = pick(fit, rng);
    pairing.add(take.tags);
    narrations.push(take);
  }
  const starts: number[] = [];
  let t = source.duration;
  for (const n of narrations) (starts.push(t), (t += n.duration));
  const total = round(t, 6);
  // Music: the soundtrack over its parts, or one-part's music under everything.
  const musicSpec = job.soundtrack ?? job.audio;
  let music: JobPlan['music'] = null;
  let musicStart = 0;
  let musicSeconds = total;
  if (musicSpec) {
    if (job.soundtrack) {
      const from = job.soundtrack.from_part - 1;
      const to = (job.soundtrack.to_part ?? parts.length) - 1;
      musicStart = starts[from]!;
      musicSeconds = round(narrations.slice(from, to + 1).reduce((s, n) => s + n.duration, 0), 6);
    }
    const all = selectAssets(musicSpec.music, ['music'], catalog);
    const fit = all.filter((m) => pairing.fits(m.tags));
    const field = job.soundtrack ? 'soundtrack.music' : 'audio.music';
    if (!fit.length) return { ok: false, waiting: all.length ? `${field}: no music of ${describe(musicSpec.music)} shares a tag with ${src} and the other assets` : `${field}: no music of ${describe(musicSpec.music)} in scanned/music/` };
    const long = fit.filter((m) => 'duration' in m && m.duration >= musicSeconds);
    const m = pick(long.length ? long : fit, rng) as Extract<CatalogAsset, { kind: 'music' }>;
    pairing.add(m.tags);
    music = { path: m.path, duration: m.duration, volume: musicSpec.volume };
  }
  // Logo.
  let logo: string | null = null;
  if (job.logo) {
    const all = selectAssets(job.logo, ['image'], catalog);
    const fit = all.filter((a) => pairing.fits(a.tags));
    if (!fit.length) return { ok: false, waiting: all.length ? `logo: no image of ${describe(job.logo)} shares a tag with ${src} and the other assets` : `logo: no image of ${describe(job.logo)} in scanned/image/` };
    const img = pick(fit, rng);
    pairing.add(img.tags);
    logo = img.path;
  }

  // Footage of each part.
  const segments: TimelineInput['video'] = [{ type: 'clip', file: source.path, in: 0, out: source.duration, fit: 'crop', flip: job.flip_source }];
  const shots: JobShot[] = [{ path: source.path, duration: source.duration, in: 0, out: source.duration }];
  for (const [i, p] of parts.entries()) {
    const pool: VideoAsset[] = [];
    for (const sel of p.footage) for (const a of selectAssets(sel, ['video'], catalog) as VideoAsset[]) if (a.path !== source.path && !pool.some((x) => x.path === a.path)) pool.push(a);
    if (!pool.length) return { ok: false, waiting: `parts[${i}].footage: no footage of ${p.footage.map(describe).join(' or ')} in scanned/video/ (the source itself excepted)` };
    const partShotList = partShots(pool, p.clips, p.clip_seconds, narrations[i]!.duration, out.fps, pairing, rng);
    if (!partShotList) return { ok: false, waiting: `parts[${i}].footage: no footage of ${p.footage.map(describe).join(' or ')} shares a tag with ${src} and the other assets` };
    for (const s of partShotList) {
      shots.push(s);
      segments.push({ type: 'clip', file: s.path, in: s.in, out: s.out, fit: 'crop' });
    }
  }

  // Texts, with a font and a size each.
  const layers: NonNullable<TimelineInput['layers']> = [];
  const texts: JobPlan['texts'] = [];
  const textSpots: { spec: TextSpec; start: number; end: number; field: string }[] = parts.length
    ? parts.flatMap((p, i) => (p.text ? [{ spec: p.text, start: starts[i]!, end: starts[i]! + narrations[i]!.duration, field: `parts[${i}].text` }] : []))
    : job.text
      ? [{ spec: job.text, start: 0, end: total, field: 'text' }]
      : [];
  for (const spot of textSpots) {
    let words: string;
    let id: string | null = null;
    if (spot.spec.text !== undefined) words = spot.spec.text;
    else {
      const all = selectAssets(spot.spec.id !== undefined ? { id: spot.spec.id } : { category: spot.spec.category!, ...(spot.spec.tags ? { tags: spot.spec.tags } : {}) }, ['text'], catalog) as Extract<CatalogAsset, { kind: 'text' }>[];
      const fit = all.filter((a) => pairing.fits(a.tags));
      const sel = spot.spec.id !== undefined ? `id ${spot.spec.id}` : `category ${spot.spec.category}`;
      if (!fit.length) return { ok: false, waiting: all.length ? `${spot.field}: no text of ${sel} shares a tag with the footage under it (${src} and the other assets)` : `${spot.field}: no text of ${sel} in scanned/text/` };
      const a = pick(fit, rng);
      pairing.add(a.tags);
      words = a.text;
      id = a.id;
    }
    const { font, size } = pick(fontChoices(spot.spec, rules, short), rng);
    texts.push({ text: words, id, font, size });
    layers.push({ type: 'text', text: words, start: round(spot.start), end: round(spot.end), position: 'center', margin: Math.round(short * 0.05), font, size, color: '#ffffff', stroke: { color: '#000000', width: Math.max(1, Math.round(size / 16)) } });
  }

  if (logo) {
    const margin = Math.max(2, Math.round((short * 0.03) / 2) * 2);
    const spans = parts.some((p) => p.logo) ? parts.flatMap((p, i) => (p.logo ? [{ start: starts[i]!, end: starts[i]! + narrations[i]!.duration }] : [])) : [{ start: 0, end: total }];
    for (const s of spans) layers.push({ type: 'image', file: logo, start: round(s.start), end: round(s.end), position: 'top-right', margin, scale: 0.18 });
  }

  const audio: NonNullable<TimelineInput['audio']> = [];
  const own = sourceSoundTrack(source, (job.soundtrack ?? job.audio)?.source_volume ?? 1);
  if (own) audio.push(own);
  audio.push(...narrations.map((n, i) => ({ file: n.path, start: round(starts[i]!), duration: n.duration, volume: 1 })));
  if (music) {
    const fade = round(Math.min(1, musicSeconds / 4));
    audio.push({ file: music.path, start: round(musicStart), duration: round(musicSeconds), volume: music.volume, loop: true, fade_out: fade });
  }

  // Effects last: a new value of each range per variation.
  const u = job.uniqueness;
  const draw = (r: readonly [number, number] | undefined, none: number) => (r ? round(r[0] + rng() * (r[1] - r[0]), 4) : none);
  const effects = { contrast: draw(u.contrast, 1), brightness: draw(u.brightness, 0), saturation: draw(u.saturation, 1), speed: draw(u.speed, 1), pitch: draw(u.pitch, 1) };

  const timeline = TimelineSchema.parse({
    output: { width: out.width, height: out.height, fps: out.fps, duration: total, quality: job.quality },
    video: segments,
    layers,
    audio,
    effects,
  } satisfies TimelineInput);
  return {
    ok: true,
    plan: {
      timeline,
      shots,
      narrations,
      music,
      logo,
      texts,
      seconds: round(total / effects.speed, 6),
      sequence: [...shots.map((s) => s.path), ...narrations.map((n) => n.id)],
    },
  };
}
