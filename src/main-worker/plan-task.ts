// Pure planning of one render task: which clips (in which order) and which music track.
// planTask(voice, catalog, rules, rng) has no I/O; the same inputs and seed give the same plan.
import type { Rng } from '../shared/rng.js';
import { shuffle } from '../shared/rng.js';
import { Pairing } from '../shared/tags.js';
import type { CatalogClass, CatalogClip, CatalogMusic, CategoryCatalog } from '../shared/catalog.js';

export interface PlanRules {
  width: number;
  height: number;
  /**
   * When no footage has the render size: 'any' class (scaled at render time), only a class of
   * the 'same-aspect' ratio, or 'none' (the voice waits for footage of the render size).
   */
  classFallback?: 'any' | 'same-aspect' | 'none';
  /** Add a frame layer (a clip of scanned/frame/<category>/) when there is one. */
  frame?: boolean;
}

export interface TaskPlan {
  videoClass: string;
  clips: CatalogClip[];
  music: CatalogMusic;
  /** The frame layer, looped over the whole video; null when none was asked for or exists. */
  frame: CatalogClip | null;
}

export type PlanResult = { ok: true; plan: TaskPlan } | { ok: false; waiting: string };

/**
 * The resolution class to take footage from: the render size itself; else a class of the same
 * aspect ratio; else any. Ties go to the class with the most footage. Clips of one task always
 * come from one class, because the concat demuxer joins them without re-scaling.
 */
export function chooseClass(classes: CatalogClass[], rules: PlanRules): CatalogClass | null {
  const exact = classes.find((c) => c.width === rules.width && c.height === rules.height);
  if (exact) return exact;
  const fallback = rules.classFallback ?? 'any';
  if (fallback === 'none') return null;
  const total = (c: CatalogClass) => c.clips.reduce((s, x) => s + x.duration, 0);
  const byTotal = [...classes].sort((a, b) => total(b) - total(a) || (a.name < b.name ? -1 : 1));
  const aspect = rules.width / rules.height;
  const same = byTotal.find((c) => Math.abs(c.width / c.height - aspect) < 0.01);
  if (same || fallback === 'same-aspect') return same ?? null;
  return byTotal[0] ?? null;
}

/**
 * Clips in random order, covering `duration`: every clip of the class is used once before any
 * is used again (a new shuffle per round), and a round never starts with the clip that ended
 * the previous one when there is a choice. `fits` is the pairing rule (DESIGN §1): a clip is
 * taken only if it pairs with everything taken before it, the clips already picked included
 * (untagged clips fit everywhere, so without tags every clip is taken as drawn).
 */
export function pickClips(clips: CatalogClip[], duration: number, rng: Rng, pairing = new Pairing()): CatalogClip[] {
  const out: CatalogClip[] = [];
  const fits = (c: CatalogClip) => pairing.fits(c.tags);
  let covered = 0;
  while (covered < duration) {
    const pool = clips.filter(fits);
    if (pool.length === 0) return out;
    let round = shuffle(pool, rng);
    const last = out[out.length - 1];
    if (last && round.length > 1 && round[0]!.path === last.path) round = [...round.slice(1), round[0]!];
    for (const c of round) {
      if (!fits(c)) continue;
      out.push(c);
      pairing.add(c.tags);
      covered += c.duration;
      if (covered >= duration) break;
    }
  }
  return out;
}

/** One music track: a random one at least as long as the voice, else any (it will loop). */
export function pickMusic(music: CatalogMusic[], duration: number, rng: Rng): CatalogMusic {
  const long = music.filter((m) => m.duration >= duration);
  const pool = long.length ? long : music;
  return pool[Math.floor(rng() * pool.length)]!;
}

/** Draws to try before accepting a clip sequence that another variation already has. */
const DISTINCT_TRIES = 20;

/**
 * `avoid`: the clip sequences (paths) of the voice's other variations. A plan repeating one of
 * them is drawn again, a bounded number of times (a class of one clip has only one sequence).
 * The pairing rule holds over the whole video: the voice's tags, the clips', the music's and
 * the frame's; a category whose tagged assets cannot make a video together waits with the reason.
 */
export function planTask(voice: { duration: number; category: string; tags?: readonly string[] }, catalog: Pick<CategoryCatalog, 'video' | 'music' | 'frames'>, rules: PlanRules, rng: Rng, avoid: string[][] = []): PlanResult {
  const cls = chooseClass(catalog.video, rules);
  if (!cls || cls.clips.length === 0) {
    const none = catalog.video.length === 0;
    return { ok: false, waiting: none ? `no footage in scanned/video/${voice.category}/` : `no footage of ${rules.width}x${rules.height}${rules.classFallback === 'same-aspect' ? ' or of its aspect ratio' : ''} in scanned/video/${voice.category}/ (tasks.classFallback is "${rules.classFallback}")` };
  }
  if (catalog.music.length === 0) return { ok: false, waiting: `no music in scanned/music/${voice.category}/` };
  const seen = new Set(avoid.map((seq) => seq.join('\n')));
  // Draw order matters for reproducibility: clips first, then music. Each draw of clips starts
  // from the voice's tags alone (a redrawn sequence does not inherit the tags of the one before).
  let pairing = new Pairing();
  const draw = () => {
    pairing = new Pairing();
    pairing.add(voice.tags ?? []);
    return pickClips(cls.clips, voice.duration, rng, pairing);
  };
  let clips = draw();
  for (let i = 1; i < DISTINCT_TRIES && seen.has(clips.map((c) => c.path).join('\n')); i++) clips = draw();
  const covered = clips.reduce((s, c) => s + c.duration, 0);
  if (covered < voice.duration) return { ok: false, waiting: `the footage of ${cls.name} in scanned/video/${voice.category}/ whose tags pair with the voice's (${(voice.tags ?? []).join(', ')}) lasts ${covered.toFixed(1)} s, less than the voice's ${voice.duration.toFixed(1)} s` };
  const music = catalog.music.filter((m) => pairing.fits(m.tags));
  if (music.length === 0) return { ok: false, waiting: `no music in scanned/music/${voice.category}/ pairs with the tags of the voice and its footage (${pairing.tags().join(', ')})` };
  const track = pickMusic(music, voice.duration, rng);
  pairing.add(track.tags);
  // Drawn last, so that turning frames on does not change the clips or the music of a seed.
  let frame: CatalogClip | null = null;
  if (rules.frame && catalog.frames?.length) {
    const frameClass = catalog.frames.find((f) => f.name === cls.name) ?? chooseClass(catalog.frames, { width: cls.width, height: cls.height }) ?? catalog.frames[0]!;
    const pool = frameClass.clips.filter((c) => pairing.fits(c.tags));
    frame = pool[Math.floor(rng() * pool.length)] ?? null;
  }
  return { ok: true, plan: { videoClass: cls.name, clips, music: track, frame } };
}
