// Which fonts draw each text layer, decided before ffmpeg runs. The layer's family is looked
// up in the fonts folder and through fontconfig (as libass will); every character is checked
// against the face with fontkit; characters it lacks go to an installed outline font that has
// them (Noto first), and the text is cut into runs, each with the family that draws it, which
// the ASS document names with \fn. A family that is not installed falls back to Noto Sans (or
// DejaVu Sans); a character no font has fails the task here (TEXT_UNRENDERABLE) instead of
// rendering as a box. Bitmap-only fonts (colour emoji) are never chosen: libass cannot draw them.
import { ClipmillError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { TextLayer, Timeline } from '../schema.js';
import { fcListCharset, fcMatch } from './fontconfig.js';
import { type Face, type FontMetrics, facesOfDir, loadFace } from './font-files.js';

export interface TextRun {
  text: string;
  family: string;
}

export interface TextFonts {
  /** Per text layer (index in timeline.layers): the text cut into runs, each with the family that draws it. */
  runs: Map<number, TextRun[]>;
  /** Folders libass must search besides fontconfig's (configured font folders): the first only (see assFilter). */
  fontsDirs: string[];
  /** Per text layer: the family standing for the one asked for (itself, or its replacement); the layer's ASS style uses it. */
  primary: Map<number, string>;
  /** Metrics of every face the runs use, by faceKey(family, bold): what the layout measures with. */
  faces: Map<string, FontMetrics>;
}

/** The key of a face in TextFonts.faces. */
export function faceKey(family: string, bold: boolean): string {
  return `${family}\u0000${bold ? 'bold' : 'regular'}`;
}

/** Where a family that is not installed falls back to, in order ("sans-serif": fontconfig's default). */
export const FALLBACK_FAMILIES = ['Noto Sans', 'DejaVu Sans', 'sans-serif'];
/** fontconfig's generic names: whatever they resolve to is accepted. */
const GENERIC = new Set(['sans-serif', 'sans', 'serif', 'monospace', 'mono', 'system-ui']);
/** Candidates tried for one character before giving up (each costs an fc-match and a parse). */
const MAX_CANDIDATES = 12;

type Resolved = { family: string; face: Face } | { missing: string };

/** Whether `name` can be written into an ASS style and a \fn tag and read back whole. */
export function assSafeFamily(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name === name.trim() && name !== '0' && !name.startsWith('@') && !/[\\{}(),\u0000-\u001f\u007f]/.test(name);
}

/** Characters that need no glyph of their own: controls, the plain space, invisible format characters. */
export function isIgnorable(cp: number): boolean {
  return cp === 0x20 || /^[\p{Cc}\p{Default_Ignorable_Code_Point}]$/u.test(String.fromCodePoint(cp));
}

/** U+XXXX. */
export function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

const sameName = (a: string, b: string) => a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase();

/**
 * Preference among fonts that have a character: Noto Sans, then Noto Serif, other Noto, the
 * rest; plain styles before Mono, Display, UI or Looped; for Han characters, the CJK variant of
 * the text's language (kana: JP, hangul: KR, else SC).
 */
export function fallbackRank(family: string, cjk: string): number[] {
  const noto = /^Noto Sans\b/i.test(family) ? 0 : /^Noto Serif\b/i.test(family) ? 1 : /^Noto\b/i.test(family) ? 2 : 3;
  const variant = /\b(Mono|Display|UI|Looped|Unjoined|Condensed)\b/i.test(family) ? 1 : 0;
  const lang = / CJK /i.test(family) && !family.endsWith(` ${cjk}`) ? 1 : 0;
  return [noto, variant, lang];
}

export function cjkLanguage(text: string): string {
  if (/[\u3040-\u30ff\u31f0-\u31ff]/.test(text)) return 'JP';
  if (/[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/.test(text)) return 'KR';
  return 'SC';
}

/** Looks families up (fonts folder first, then fontconfig) and finds fonts for characters; one per planFonts call. */
class Resolver {
  private readonly families = new Map<string, Promise<Resolved>>();

  constructor(private readonly dirFaces: Face[], private readonly signal: AbortSignal | undefined) {}

  /** The face libass draws `name` with at this weight, or why there is none. */
  family(name: string, bold: boolean): Promise<Resolved> {
    const key = faceKey(name.toLowerCase(), bold);
    let r = this.families.get(key);
    if (!r) this.families.set(key, (r = this.lookUp(name, bold)));
    return r;
  }

  private async lookUp(name: string, bold: boolean): Promise<Resolved> {
    const want = bold ? 700 : 400;
    const inDir = this.dirFaces.filter((f) => f.families.some((n) => sameName(n, name))).sort((a, b) => Number(a.italic) - Number(b.italic) || Math.abs(a.weight - want) - Math.abs(b.weight - want));
    let found: { family: string; face: Face } | null = null;
    if (inDir[0]) {
      found = { family: inDir[0].families[0]!, face: inDir[0] };
    } else {
      const m = await fcMatch(name, bold, this.signal);
      const family = m && (GENERIC.has(name.toLowerCase()) ? m.families[0] : m.families.find((n) => sameName(n, name)));
      if (!m || !family) return { missing: 'not installed' };
      const face = await loadFace(m.file, m.postscriptName, m.index).catch(() => null);
      if (!face) return { missing: `its file ${m.file} does not read` };
      found = { family, face };
    }
    if (!found.face.outlines) return { missing: 'a bitmap-only font (libass cannot draw it)' };
    if (!assSafeFamily(found.family)) return { missing: 'a name an ASS document cannot carry' };
    return found;
  }

  /** An installed outline font that draws every code point of `cps`, best ranked first. */
  async fallback(cps: number[], bold: boolean, cjk: string): Promise<{ family: string; face: Face } | null> {
    const names = new Set<string>();
    for (const f of await fcListCharset(cps[0]!, this.signal)) if (f.families[0]) names.add(f.families[0]);
    for (const f of this.dirFaces) if (f.outlines && f.metrics.has(cps[0]!) && f.families[0]) names.add(f.families[0]);
    const ranked = [...names].sort((a, b) => compareRanks(fallbackRank(a, cjk), fallbackRank(b, cjk)) || (a < b ? -1 : a > b ? 1 : 0));
    for (const name of ranked.slice(0, MAX_CANDIDATES)) {
      this.signal?.throwIfAborted();
      const r = await this.family(name, bold);
      if ('face' in r && cps.every((cp) => r.face.metrics.has(cp))) return r;
    }
    return null;
  }
}

/** Up to a dozen items, then how many more (a long text can lack hundreds of characters). */
function listed(items: string[]): string {
  return items.length > 12 ? `${items.slice(0, 12).join(', ')} and ${items.length - 12} more` : items.join(', ');
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Line breaks made uniform (CR LF, CR, U+2028, U+2029 become LF), tabs become spaces, other controls go. */
export function normalizeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?|[\u2028\u2029]/g, '\n').replace(/\t/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/**
 * Plans the fonts of every text layer of `timeline`: runs, the faces to measure with, and the
 * fonts folder libass gets. Throws TEXT_UNRENDERABLE for a character no installed font has.
 */
export async function planFonts(timeline: Timeline, opts: { fontsDirs: string[]; log?: Logger; signal?: AbortSignal }): Promise<TextFonts> {
  const { log, signal } = opts;
  const layers = timeline.layers.flatMap((l, index) => (l.type === 'text' ? [{ layer: l, index }] : []));
  const out: TextFonts = { runs: new Map(), fontsDirs: [], primary: new Map(), faces: new Map() };
  if (layers.length === 0) return out;
  // ffmpeg's ass filter passes libass one fonts folder: only the first is used, here as there.
  const dir = opts.fontsDirs[0];
  if (opts.fontsDirs.length > 1) log?.warn({ fontsDirs: opts.fontsDirs }, `Text layers use only the first fonts folder (${dir}); libass, through ffmpeg's ass filter, reads one`);
  let dirFaces: Face[] = [];
  if (dir !== undefined) {
    try {
      dirFaces = await facesOfDir(dir);
      out.fontsDirs = [dir];
    } catch (err) {
      log?.warn({ dir, err }, `The fonts folder ${dir} cannot be read; text layers use the installed fonts only`);
    }
  }
  const resolver = new Resolver(dirFaces, signal);
  for (const { layer, index } of layers) {
    signal?.throwIfAborted();
    const planned = await planLayer(layer, index, resolver, log);
    out.runs.set(index, planned.runs);
    out.primary.set(index, planned.primary);
    for (const [family, face] of planned.faces) out.faces.set(faceKey(family, layer.bold), face.metrics);
  }
  return out;
}

async function planLayer(layer: TextLayer, index: number, resolver: Resolver, log: Logger | undefined) {
  const bold = layer.bold;
  let primary = await resolver.family(layer.font, bold);
  if ('missing' in primary) {
    const why = primary.missing;
    for (const name of FALLBACK_FAMILIES) {
      primary = await resolver.family(name, bold);
      if ('face' in primary) break;
    }
    const using = 'face' in primary ? primary.family : null;
    log?.warn({ layer: index, font: layer.font, using }, `Text layer ${index}: font "${layer.font}" is ${why}; using ${using ? `"${using}"` : 'the fonts that have its characters'}`);
  }
  const main = 'face' in primary ? primary : null;
  const faces = new Map<string, Face>(main ? [[main.family, main.face]] : []);
  const text = normalizeText(layer.text);
  const cjk = cjkLanguage(text);
  // Units of text that one font must draw whole: grapheme clusters (a letter and its marks),
  // split into code points only when no font has a whole cluster.
  const units: Array<{ text: string; family: string | null }> = [];
  const used: Array<{ family: string; face: Face }> = main ? [main] : [];
  const replaced = new Map<string, Set<number>>();
  const missing = new Set<number>();
  const drawable = (cps: number[]) => cps.filter((cp) => !isIgnorable(cp)).map((cp) => (cp === 0xa0 ? 0x20 : cp)); // libass draws NBSP with the space glyph
  for (const { segment } of new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(text)) {
    const cps = drawable([...segment].map((c) => c.codePointAt(0)!));
    if (cps.length === 0) {
      units.push({ text: segment, family: null });
      continue;
    }
    // fontconfig is asked for the code points the main face lacks first: the rare ones.
    const rare = main ? [...cps.filter((cp) => !main.face.metrics.has(cp)), ...cps.filter((cp) => main.face.metrics.has(cp))] : cps;
    let pick = used.find((u) => cps.every((cp) => u.face.metrics.has(cp))) ?? (await resolver.fallback(rare, bold, cjk));
    const parts: Array<{ text: string; pick: { family: string; face: Face } | null }> = pick ? [{ text: segment, pick }] : [];
    if (!pick && cps.length > 1) {
      for (const c of segment) {
        const one = drawable([c.codePointAt(0)!]);
        pick = one.length === 0 ? null : (used.find((u) => u.face.metrics.has(one[0]!)) ?? (await resolver.fallback(one, bold, cjk)));
        if (one.length > 0 && !pick) missing.add(one[0]!);
        parts.push({ text: c, pick: pick ?? null });
      }
    } else if (!pick) {
      missing.add(cps[0]!);
    }
    for (const part of parts) {
      const p = part.pick;
      units.push({ text: part.text, family: p?.family ?? null });
      if (!p) continue;
      if (!used.includes(p)) (used.push(p), faces.set(p.family, p.face));
      if (p !== main) for (const cp of drawable([...part.text].map((c) => c.codePointAt(0)!))) if (!main?.face.metrics.has(cp)) replaced.set(p.family, (replaced.get(p.family) ?? new Set()).add(cp));
    }
  }
  if (missing.size > 0) {
    const chars = [...missing].map(codePointName);
    const font = main?.family ?? layer.font;
    throw new ClipmillError('TEXT_UNRENDERABLE', `Text layer ${index} cannot be drawn: no installed font has ${chars.join(', ')} (tried "${font}", then every outline font fontconfig lists for each character)`, { details: { layer: index, characters: chars, font } });
  }
  if (replaced.size > 0) {
    const fallbacks = Object.fromEntries([...replaced].map(([f, cps]) => [f, [...cps].map(codePointName)]));
    const list = [...replaced].map(([f, cps]) => `"${f}" for ${listed([...cps].map((cp) => `${String.fromCodePoint(cp)} (${codePointName(cp)})`))}`).join('; ');
    log?.warn({ layer: index, font: main?.family ?? layer.font, fallbacks }, `Text layer ${index}: font "${main?.family ?? layer.font}" lacks some characters; drawn with ${list}`);
  }
  const primaryFamily = main?.family ?? units.find((u) => u.family !== null)?.family ?? FALLBACK_FAMILIES[0]!;
  return { runs: toRuns(units, primaryFamily, faces), primary: primaryFamily, faces };
}

/**
 * Joins clusters into runs of one family. Ignorable clusters (spaces, joiners) go with the run
 * before them (the first run for leading ones); invisible format characters the run's face
 * lacks are dropped: libass would look for another font for each.
 */
function toRuns(units: Array<{ text: string; family: string | null }>, primary: string, faces: Map<string, Face>): TextRun[] {
  const runs: TextRun[] = [];
  let current = units.find((u) => u.family !== null)?.family ?? primary;
  for (const unit of units) {
    current = unit.family ?? current;
    const face = faces.get(current);
    const kept = [...unit.text].filter((c) => {
      const cp = c.codePointAt(0)!;
      return cp === 0x0a || cp === 0x20 || !isIgnorable(cp) || (face?.metrics.has(cp) ?? false);
    }).join('');
    if (!kept) continue;
    const last = runs[runs.length - 1];
    if (last && last.family === current) last.text += kept;
    else runs.push({ text: kept, family: current });
  }
  return runs;
}
