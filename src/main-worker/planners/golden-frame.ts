// The golden-frame planner (docs/golden-frame.md), pure: (job, variation's rng, catalog) -> the
// timeline of one video, its cuts, and the notes its report carries. No I/O; the same inputs
// and seed give the same plan.
//
// The layers, bottom to top (docs/timeline.md has the model):
//   0. background: the timeline's video is one colour segment (style.background);
//   1. atmosphere: a looped video layer (normal blend, style.atmosphere_opacity);
//   2. content: one image layer per shot, the photo fitted into the centred content box, its
//      view zooming 1 -> style.zoom over the shot (the still's smooth upscale-first zoom);
//   3. frame: the frame PNG fitted to the output (its transparent middle shows the content; a
//      frame of another shape than the output is fitted whole, with bars: noted, FRAME_ASPECT),
//      or, when none is given or found, a procedural border around the content box;
//   4. hook: a text layer at the top of the 9:16 safe area, wrapped to its width.
// The content cannot be the timeline's bottom video with the atmosphere as a layer above it
// (the atmosphere lies under the content): so the products are image layers in a box, and the
// timeline's video is the background colour.
//
// Draw order (reproducibility): music, atmosphere, frame, then the photos' order. Every asset
// drawn pairs with every one drawn before it (src/shared/tags.ts).
//
// Cuts: shots change on onsets of the music (its beats file), each shot between
// shot_seconds.min and max long, as near as the onsets allow to the ideal length (the duration
// shared by the photos, kept within min..max); see planCuts. Where the onsets leave a gap longer
// than max, the fewest cuts off the beat that keep every shot within min..max (noted). A loop of
// the track repeats every decoded length (playedOnsets). A track without usable beats (no beats file, silence, a drone, a
// failed analysis) or no music at all: fixed shot lengths, noted (BEATS_FALLBACK) in the report.
import type { GoldenFrameJob } from '../../shared/jobs/golden-frame.js';
import type { Rng } from '../../shared/rng.js';
import { shuffle } from '../../shared/rng.js';
import { Pairing } from '../../shared/tags.js';
import { SAFE_AREA } from '../../shared/timeline/captions.js';
import { even } from '../../shared/timeline/fit.js';
import { TimelineSchema, type Timeline, type TimelineInput } from '../../shared/timeline/schema.js';

type LayerInput = NonNullable<TimelineInput['layers']>[number];
import type { CatalogAsset } from '../../shared/catalog.js';
import { planCuts, playedOnsets } from './golden-frame-cuts.js';
import { describe, round, selectAssets, type JobCatalog } from './job.js';

export type ImageAsset = Extract<CatalogAsset, { kind: 'image' }>;
export type MusicAsset = Extract<CatalogAsset, { kind: 'music' }>;
/** An overlay video of scanned/frame/ (kind "frame"). */
export type OverlayAsset = Extract<CatalogAsset, { videoClass: string }>;

/** Something the planner chose to do instead of what was asked; copied into report.json and logged as a WARN. */
export interface PlanNote {
  code: 'BEATS_FALLBACK' | 'BORDER_FALLBACK' | 'FRAME_ASPECT';
  message: string;
}

export interface GoldenFrameShot {
  image: ImageAsset;
  start: number;
  end: number;
}

export interface GoldenFramePlan {
  timeline: Timeline;
  shots: GoldenFrameShot[];
  music: MusicAsset | null;
  atmosphere: OverlayAsset | null;
  frame: ImageAsset | null;
  /** The hook as drawn (sanitized), or null. */
  hook: string | null;
  /** Output seconds of each cut (the starts of shots 2..n), on the frame grid. */
  cuts: number[];
  /** Whether the cuts follow the music's onsets. */
  beatSynced: boolean;
  notes: PlanNote[];
}

export type GoldenFramePlanResult = { ok: true; plan: GoldenFramePlan } | { ok: false; waiting: string };

/**
 * The hook as it may be drawn: Unicode-normalized (NFC), well-formed (a lone surrogate becomes
 * U+FFFD), without control characters (tabs become spaces; a line or paragraph separator a
 * newline), without bidi embeddings, overrides and isolates (they could reorder the line it
 * is drawn on) or a byte-order mark, spaces collapsed, at most 3 lines, trimmed. Emoji (with
 * their joiners and variation selectors) and every script are kept. ASS escaping is the text
 * layer's (text/ass.ts), not this.
 */
export function sanitizeHook(text: string): string {
  const lines = text
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .normalize('NFC')
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]/g, '')
    .split('\n')
    .map((l: string) => l.replace(/\s+/g, ' ').trim())
    .filter((l: string) => l.length > 0);
  return lines.slice(0, 3).join('\n');
}

export function planGoldenFrame(job: GoldenFrameJob, catalog: JobCatalog, rng: Rng): GoldenFramePlanResult {
  const [width, height] = job.output.resolution.split('x').map(Number) as [number, number];
  const fps = job.output.fps;
  const seconds = job.duration;
  const pairing = new Pairing();
  const notes: PlanNote[] = [];
  const pickFrom = <T extends CatalogAsset>(all: T[]): T | null => {
    const fit = all.filter((a) => pairing.fits(a.tags));
    if (!fit.length) return null;
    const a = fit[Math.floor(rng() * fit.length)]!;
    pairing.add(a.tags);
    return a;
  };

  let music: MusicAsset | null = null;
  if (job.audio) {
    const all = selectAssets(job.audio, ['music'], catalog) as MusicAsset[];
    if (!all.length) return { ok: false, waiting: `audio (${describe(job.audio)}) selects no music in scanned/music/` };
    music = pickFrom(all);
    if (!music) return { ok: false, waiting: `no music of audio (${describe(job.audio)}) pairs with the tags drawn` };
  }
  let atmosphere: OverlayAsset | null = null;
  if (job.atmosphere) {
    const all = selectAssets(job.atmosphere, ['frame'], catalog) as OverlayAsset[];
    if (!all.length) return { ok: false, waiting: `atmosphere (${describe(job.atmosphere)}) selects no overlay video in scanned/frame/` };
    atmosphere = pickFrom(all);
    if (!atmosphere) return { ok: false, waiting: `no overlay of atmosphere (${describe(job.atmosphere)}) pairs with the tags drawn (${pairing.tags().join(', ')})` };
  }
  let frame: ImageAsset | null = null;
  if (job.frame) {
    // A frame PNG: its transparency is the window onto the content (a JPEG has none).
    const all = (selectAssets(job.frame, ['image'], catalog) as ImageAsset[]).filter((a) => a.path.toLowerCase().endsWith('.png'));
    frame = pickFrom(all);
    if (!frame) notes.push({ code: 'BORDER_FALLBACK', message: `frame (${describe(job.frame)}) selects no ${all.length ? 'PNG that pairs with the tags drawn' : 'PNG image in scanned/image/'}: a procedural border is drawn instead` });
    // The frame is fitted whole into the output (a boxed layer keeps its shape): of another shape, it is letterboxed and its hole no longer lies over the content box.
    else if (Math.abs(frame.width / frame.height - width / height) > 0.01 * (width / height)) notes.push({ code: 'FRAME_ASPECT', message: `the frame ${frame.path} is ${frame.width}x${frame.height}, not of the output's shape (${width}x${height}): it is fitted whole, with bars, and its transparent middle may not line up with the content box` });
  }
  const pool = job.images.flatMap((sel) => selectAssets(sel, ['image'], catalog) as ImageAsset[]);
  const unique = [...new Map(pool.map((a) => [a.path, a])).values()];
  if (!unique.length) return { ok: false, waiting: `images (${job.images.map(describe).join('; ')}) select no stills in scanned/image/` };
  // The photos in a drawn order, each pairing with what was drawn before it.
  const photos: ImageAsset[] = [];
  for (const a of shuffle(unique, rng)) {
    if (a.path === frame?.path || !pairing.fits(a.tags)) continue;
    pairing.add(a.tags);
    photos.push(a);
  }
  if (!photos.length) return { ok: false, waiting: `no still of images pairs with the tags drawn (${pairing.tags().join(', ')})` };

  const range = job.shot_seconds;
  const ideal = Math.min(range.max, Math.max(range.min, seconds / photos.length));
  const track: MusicAsset | null = music;
  const beats = track?.beats;
  const usable = track !== null && beats !== undefined && beats.usable;
  if (!usable) {
    const why = track === null ? 'the job has no audio' : !beats ? `${track.path} has no beats file (filed before beat analysis)` : `${track.path} has no usable beats (${beats.reason ?? 'no onsets'})`;
    notes.push({ code: 'BEATS_FALLBACK', message: `${why}: shots cut at fixed lengths of about ${round(ideal, 2)} s` });
  }
  let onsets: number[] | null = null;
  if (usable) {
    const played = playedOnsets(beats!, seconds);
    onsets = played.onsets;
    if (played.until < seconds) notes.push({ code: 'BEATS_FALLBACK', message: `${track!.path} loops at ${round(played.until, 2)} s and its length was not measured whole (${beats!.analysed_seconds} s analysed): cuts after the first loop are not on its beats` });
  }
  const { cuts, fixed, fits } = planCuts(seconds, ideal, range, fps, onsets);
  if (usable && fixed > 0) notes.push({ code: 'BEATS_FALLBACK', message: `${fixed} of ${cuts.length} cut(s) fall on no onset (the onsets leave no series of shots ${range.min} to ${range.max} s long there): cut at fixed lengths` });
  if (!fits) notes.push({ code: 'BEATS_FALLBACK', message: `no split of ${seconds} s into shots of ${range.min} to ${range.max} s exists: ${cuts.length + 1} shot(s) of about ${round(seconds / (cuts.length + 1), 2)} s` });

  const bounds = [0, ...cuts, seconds];
  const shots: GoldenFrameShot[] = bounds.slice(0, -1).map((start, i) => ({ image: photos[i % photos.length]!, start: round(start, 6), end: round(bounds[i + 1]!, 6) }));

  const cw = job.style.content?.width ?? even((width * 5) / 6);
  const ch = job.style.content?.height ?? even((height * 5) / 6);
  const layers: LayerInput[] = [];
  if (atmosphere) layers.push({ type: 'video', file: atmosphere.path, opacity: job.style.atmosphere_opacity, blend: 'normal' });
  const zoom = job.style.zoom;
  for (const s of shots) {
    layers.push({
      type: 'image',
      file: s.image.path,
      start: s.start,
      end: s.end,
      position: 'center',
      box: { width: cw, height: ch },
      ...(zoom > 1 ? { ken_burns: { from: { zoom: 1, x: 0.5, y: 0.5 }, to: { zoom, x: 0.5, y: 0.5 } } } : {}),
    });
  }
  if (frame) layers.push({ type: 'image', file: frame.path, position: 'center', box: { width, height } });
  else {
    const bw = job.style.border.width ?? Math.max(1, Math.round(width / 90));
    // Around the content box, outside it, kept inside the picture.
    const x = Math.max(0, (width - cw) / 2 - bw);
    const y = Math.max(0, (height - ch) / 2 - bw);
    layers.push({ type: 'border', color: job.style.border.color, width: bw, rect: { x, y, width: Math.min(width - x, cw + 2 * bw), height: Math.min(height - y, ch + 2 * bw) } });
    if (!job.frame) notes.push({ code: 'BORDER_FALLBACK', message: 'the job names no frame PNG: a procedural border is drawn' });
  }
  const hook = job.text !== undefined ? sanitizeHook(job.text) : '';
  if (hook) {
    const size = job.style.hook.size ?? Math.round(width / 16.875);
    layers.push({
      type: 'text',
      text: hook,
      position: 'top',
      margin: Math.round(SAFE_AREA.top * height),
      wrap_width: Math.round(width * (1 - 2 * SAFE_AREA.side)),
      align: 'center',
      font: job.style.hook.font,
      size,
      color: job.style.hook.color,
      bold: job.style.hook.bold,
      stroke: { color: job.style.hook.stroke_color, width: Math.max(1, Math.round(size / 16)) },
    });
  }
  const input: TimelineInput = {
    output: { width, height, fps, duration: seconds, quality: job.quality },
    video: [{ type: 'color', color: job.style.background, duration: seconds }],
    layers,
    audio: music ? [{ file: music.path, start: 0, duration: seconds, loop: music.duration < seconds, fade_out: Math.min(1, seconds / 4) }] : [],
  };
  return { ok: true, plan: { timeline: TimelineSchema.parse(input), shots, music, atmosphere, frame, hook: hook || null, cuts, beatSynced: usable, notes } };
}
