// What scanned/ holds, in memory: loaded once at start-up (the names carry the durations and
// sizes, the asset records `<scanned file>.json` the tags), then kept current as ingest files
// things, so that planning never lists the tree. Catalog.add takes the record ingest has just
// written, so that a filed asset is never read back.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ASSET_KINDS, AssetRecordSchema, assetRecordPath, type AssetKind, type AssetRecord } from './assets.js';
import { readJsonOrNull } from './json.js';
import { BeatsSchema, beatsPath, type Beats } from './media/beats.js';
import { isIgnoredName, parseResolutionClass, parseScannedMediaName, type Layout } from './layout.js';
import { narrationPartId, parseNarrationPartName, parseScannedImageName, parseScannedTextName, parseVersionedName } from './asset-names.js';
import type { CatalogAsset, CatalogClass, CatalogClip, CatalogImage, CatalogMusic, CatalogNarrationPart, CatalogText, CatalogVoice, CategoryCatalog } from './catalog-types.js';

export type { CatalogAsset, CatalogClass, CatalogClip, CatalogImage, CatalogMusic, CatalogNarrationPart, CatalogText, CatalogVoice, CategoryCatalog } from './catalog-types.js';

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !isIgnoredName(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

interface Category {
  classes: Map<string, CatalogClass>;
  frames: Map<string, CatalogClass>;
  clipPaths: Set<string>;
  music: Map<string, CatalogMusic>;
  images: Map<string, CatalogImage>;
  /** Text file path -> its texts. */
  texts: Map<string, CatalogText[]>;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
const byPathLine = (a: CatalogText, b: CatalogText) => byPath(a, b) || a.line - b.line;

export class Catalog {
  private readonly categories = new Map<string, Category>();
  private readonly voices = new Map<string, CatalogVoice>();
  /** `<category>/<campaign>` -> part -> takes. */
  private readonly narrations = new Map<string, Map<number, CatalogNarrationPart[]>>();
  private readonly narrationPaths = new Set<string>();
  private readonly ids = new Map<string, CatalogAsset>();
  private snapshots = new Map<string, CategoryCatalog>();
  private everything: CatalogAsset[] | null = null;

  private cat(name: string): Category {
    let c = this.categories.get(name);
    if (!c) this.categories.set(name, (c = { classes: new Map(), frames: new Map(), clipPaths: new Set(), music: new Map(), images: new Map(), texts: new Map() }));
    return c;
  }

  private changed(category: string | null, asset: Exclude<CatalogAsset, { kind: 'voice' }> | null): void {
    if (category !== null) this.snapshots.delete(category);
    this.everything = null;
    if (asset && (!this.ids.has(asset.id) || this.ids.get(asset.id)!.path === asset.path)) this.ids.set(asset.id, asset);
  }

  /**
   * Adds a file of scanned/ by its root-relative path, with its asset record (`record`: what
   * ingest has just written; undefined: untagged). Anything that is not a clip of a resolution
   * class, a normalized track, a voice, an image, a text file or a narration part is ignored (originals, records, sidecar copies). Text files need their record (the texts are in it),
   * narration parts too (their duration is in it); a track, its beats file if it has one (or later: a track known without beats gets them). Returns whether it was added.
   */
  add(rel: string, record?: AssetRecord | null, beats?: Beats | null): boolean {
    const p = rel.split('/');
    if (p[0] !== 'scanned' || p.some((s) => s === '' || s.startsWith('.'))) return false;
    const tags = record?.tags ?? [];
    if ((p[1] === 'video' || p[1] === 'frame') && p.length === 5) {
      const size = parseResolutionClass(p[3]!);
      const parsed = parseScannedMediaName(p[4]!);
      if (!size || !parsed || parsed.ext !== 'mp4' || parsed.duration <= 0) return false;
      const c = this.cat(p[2]!);
      if (c.clipPaths.has(rel)) return false;
      const classes = p[1] === 'video' ? c.classes : c.frames;
      let cls = classes.get(p[3]!);
      if (!cls) classes.set(p[3]!, (cls = { name: p[3]!, ...size, clips: [] }));
      const clip: CatalogClip = { path: rel, id: parsed.id, duration: parsed.duration, tags, ...(record?.sound ? { sound: { ...record.sound } } : {}) };
      cls.clips.push(clip);
      c.clipPaths.add(rel);
      this.changed(p[2]!, { kind: p[1], ...clip, category: p[2]!, videoClass: p[3]!, ...size });
      return true;
    }
    if (p[1] === 'music' && p.length === 5 && p[3] === 'mp3') {
      const parsed = parseScannedMediaName(p[4]!);
      if (!parsed || parsed.ext !== 'mp3' || parsed.duration <= 0) return false;
      const c = this.cat(p[2]!);
      const known = c.music.get(rel);
      if (known && (!beats || known.beats)) return false;
      const track: CatalogMusic = known ? { ...known, beats: beats! } : { path: rel, id: parsed.id, duration: parsed.duration, tags, ...(beats ? { beats } : {}) };
      c.music.set(rel, track);
      this.changed(p[2]!, { kind: 'music', ...track, category: p[2]! });
      return true;
    }
    if (p[1] === 'story' && p.length === 6 && p[4] === 'voice' && p[5]!.toLowerCase().endsWith('.mp3')) {
      if (this.voices.has(rel)) return false;
      const voice: CatalogVoice = { path: rel, category: p[2]!, story: p[3]!, name: p[5]!, version: parseVersionedName(p[5]!).version, tags, ...(record?.priority !== undefined ? { priority: record.priority } : {}) };
      this.voices.set(rel, voice);
      // Voices are not looked up by id (jobs select footage, music, stills, texts and narration).
      this.changed(null, null);
      return true;
    }
    if (p[1] === 'image' && p.length === 4) {
      const parsed = parseScannedImageName(p[3]!);
      if (!parsed) return false;
      const c = this.cat(p[2]!);
      if (c.images.has(rel)) return false;
      const image: CatalogImage = { path: rel, id: parsed.id, category: p[2]!, width: parsed.width, height: parsed.height, tags };
      c.images.set(rel, image);
      this.changed(p[2]!, { kind: 'image', ...image });
      return true;
    }
    if (p[1] === 'text' && p.length === 4) {
      const parsed = parseScannedTextName(p[3]!);
      if (!parsed || !record?.texts?.length) return false;
      const c = this.cat(p[2]!);
      if (c.texts.has(rel)) return false;
      // A row's own tags win; a row without any takes the file's (its sidecar's).
      const texts: CatalogText[] = record.texts.map((t) => ({ path: rel, id: `${parsed.id}#${t.line}`, assetId: parsed.id, category: p[2]!, text: t.text, tags: t.tags.length ? t.tags : tags, line: t.line }));
      c.texts.set(rel, texts);
      this.changed(p[2]!, null);
      for (const t of texts) if (!this.ids.has(t.id)) this.ids.set(t.id, { kind: 'text', ...t });
      if (!this.ids.has(parsed.id)) this.ids.set(parsed.id, { kind: 'text', ...texts[0]! });
      return true;
    }
    if (p[1] === 'narration' && p.length === 5) {
      const parsed = parseNarrationPartName(p[4]!);
      if (!parsed || record?.duration === undefined || this.narrationPaths.has(rel)) return false;
      const [category, campaign] = [p[2]!, p[3]!];
      const part: CatalogNarrationPart = {
        path: rel,
        id: narrationPartId(category, campaign, p[4]!),
        category,
        campaign,
        part: parsed.part,
        take: parsed.take,
        version: parsed.version,
        duration: record.duration,
        tags,
        ...(record.transcript !== undefined ? { transcript: record.transcript } : {}),
      };
      const key = `${category}/${campaign}`;
      let parts = this.narrations.get(key);
      if (!parts) this.narrations.set(key, (parts = new Map()));
      const takes = parts.get(parsed.part) ?? [];
      takes.push(part);
      takes.sort((a, b) => a.take - b.take || (a.version ?? 1) - (b.version ?? 1) || byPath(a, b));
      parts.set(parsed.part, takes);
      this.narrationPaths.add(rel);
      this.changed(null, { kind: 'narration', ...part });
      // The take's id without a version names its latest version (what jobs select).
      const takeId = narrationPartId(category, campaign, parseVersionedName(p[4]!).base);
      const prev = this.ids.get(takeId);
      if (!prev || (prev.kind === 'narration' && (prev.version ?? 1) < parsed.version)) this.ids.set(takeId, { kind: 'narration', ...part });
      return true;
    }
    return false;
  }

  /** The category's footage, music, stills and texts, in a stable order (sorted by path). */
  category(name: string): CategoryCatalog {
    const cached = this.snapshots.get(name);
    if (cached) return cached;
    const c = this.categories.get(name);
    const classes = (m: Map<string, CatalogClass>) => [...m.values()].map((k) => ({ ...k, clips: [...k.clips].sort(byPath) })).sort((a, b) => (a.name < b.name ? -1 : 1));
    const snap: CategoryCatalog = c
      ? { video: classes(c.classes), music: [...c.music.values()].sort(byPath), frames: classes(c.frames), images: [...c.images.values()].sort(byPath), texts: [...c.texts.values()].flat().sort(byPathLine) }
      : { video: [], music: [], frames: [], images: [], texts: [] };
    this.snapshots.set(name, snap);
    return snap;
  }

  /**
   * A campaign's recorded (and synthesized) narration parts: part number -> its takes, by take;
   * of each take its latest version only (`assets()` lists every version).
   */
  narration(category: string, campaign: string): Map<number, CatalogNarrationPart[]> {
    const parts = this.narrations.get(`${category}/${campaign}`);
    const latest = (takes: CatalogNarrationPart[]) => takes.filter((t) => !takes.some((o) => o.take === t.take && (o.version ?? 1) > (t.version ?? 1)));
    return new Map([...(parts ?? new Map<number, CatalogNarrationPart[]>())].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, latest(v)]));
  }

  /**
   * The voices planners make tasks of: of each voice, its latest version only (chapter_0001.v2.mp3
   * hides chapter_0001.mp3), sorted by path. `assets()` and `allVoices()` list every version.
   */
  voiceList(): CatalogVoice[] {
    const latest = new Map<string, CatalogVoice>();
    for (const v of this.voices.values()) {
      const key = `${v.path.slice(0, v.path.length - v.name.length)}${parseVersionedName(v.name).base}`;
      const prev = latest.get(key);
      if (!prev || (prev.version ?? 1) < (v.version ?? 1)) latest.set(key, v);
    }
    return [...latest.values()].sort(byPath);
  }

  /** Every version of every voice, sorted by path. */
  allVoices(): CatalogVoice[] {
    return [...this.voices.values()].sort(byPath);
  }

  /**
   * An asset by its id: a clip's, a track's or an image's UUID; a text's `<uuid>#<line>` (or
   * its file's UUID: the first text); a narration part's `<category>/<campaign>/part_<NNNN>[_k]`.
   */
  byId(id: string): CatalogAsset | null {
    return this.ids.get(id) ?? this.ids.get(id.toLowerCase()) ?? null;
  }

  /** Every asset (each text row is one), ordered by kind (ASSET_KINDS), category, path (and line). */
  assets(): CatalogAsset[] {
    if (this.everything) return this.everything;
    const out: CatalogAsset[] = [];
    for (const [category, c] of this.categories) {
      for (const [kind, m] of [['video', c.classes], ['frame', c.frames]] as const) {
        for (const cls of m.values()) for (const clip of cls.clips) out.push({ kind, ...clip, category, videoClass: cls.name, width: cls.width, height: cls.height });
      }
      for (const t of c.music.values()) out.push({ kind: 'music', ...t, category });
      for (const i of c.images.values()) out.push({ kind: 'image', ...i });
      for (const list of c.texts.values()) for (const t of list) out.push({ kind: 'text', ...t });
    }
    for (const v of this.voices.values()) out.push({ kind: 'voice', ...v });
    for (const parts of this.narrations.values()) for (const takes of parts.values()) for (const n of takes) out.push({ kind: 'narration', ...n });
    const rank = (k: AssetKind) => ASSET_KINDS.indexOf(k);
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    out.sort((a, b) => rank(a.kind) - rank(b.kind) || cmp(a.category, b.category) || cmp(a.path, b.path) || (a.kind === 'text' && b.kind === 'text' ? a.line - b.line : 0));
    this.everything = out;
    return out;
  }

  get size(): { clips: number; music: number; voices: number; images: number; texts: number; narration: number } {
    let clips = 0;
    let music = 0;
    let images = 0;
    let texts = 0;
    for (const c of this.categories.values()) {
      clips += c.clipPaths.size;
      music += c.music.size;
      images += c.images.size;
      for (const t of c.texts.values()) texts += t.length;
    }
    return { clips, music, voices: this.voices.size, images, texts, narration: this.narrationPaths.size };
  }

  /**
   * Reads scanned/ once, with each file's asset record (a missing or corrupt record: untagged;
   * a text file or narration part without a readable record is left out, since its texts or
   * duration are in it — ingest always writes the record before the file) and a track's beats.
   */
  static async load(layout: Layout): Promise<Catalog> {
    const catalog = new Catalog();
    const add = async (rel: string) => {
      if (!catalog.wants(rel)) return;
      const beats = rel.startsWith('scanned/music/') ? await readJsonOrNull(BeatsSchema, beatsPath(layout.abs(rel))) : null;
      catalog.add(rel, await readJsonOrNull(AssetRecordSchema, assetRecordPath(layout.abs(rel))), beats);
    };
    for (const kind of ['video', 'frame']) {
      for (const category of await names(join(layout.scanned, kind))) {
        for (const cls of await names(join(layout.scanned, kind, category))) {
          if (!parseResolutionClass(cls)) continue;
          for (const n of await names(join(layout.scanned, kind, category, cls))) await add(`scanned/${kind}/${category}/${cls}/${n}`);
        }
      }
    }
    for (const category of await names(join(layout.scanned, 'music'))) {
      for (const n of await names(layout.scannedMusicDir(category))) await add(`scanned/music/${category}/mp3/${n}`);
    }
    for (const category of await names(join(layout.scanned, 'story'))) {
      for (const story of await names(join(layout.scanned, 'story', category))) {
        for (const n of await names(layout.scannedVoiceDir(category, story))) await add(`scanned/story/${category}/${story}/voice/${n}`);
      }
    }
    for (const category of await names(join(layout.scanned, 'image'))) {
      for (const n of await names(layout.scannedImageDir(category))) await add(`scanned/image/${category}/${n}`);
    }
    for (const category of await names(join(layout.scanned, 'text'))) {
      for (const n of await names(layout.scannedTextDir(category))) await add(`scanned/text/${category}/${n}`);
    }
    for (const category of await names(join(layout.scanned, 'narration'))) {
      for (const campaign of await names(join(layout.scanned, 'narration', category))) {
        for (const n of await names(layout.scannedNarrationDir(category, campaign))) await add(`scanned/narration/${category}/${campaign}/${n}`);
      }
    }
    return catalog;
  }

  /** Whether `rel` names an asset file (not a record, an original or a sidecar copy): load reads records only for those. */
  private wants(rel: string): boolean {
    const p = rel.split('/');
    const name = p[p.length - 1]!;
    if (name.endsWith('.json')) return false;
    if (p[1] === 'video' || p[1] === 'frame' || p[1] === 'music') return parseScannedMediaName(name) !== null;
    if (p[1] === 'image') return parseScannedImageName(name) !== null;
    if (p[1] === 'text') return parseScannedTextName(name) !== null;
    if (p[1] === 'narration') return parseNarrationPartName(name) !== null;
    return name.toLowerCase().endsWith('.mp3');
  }
}
