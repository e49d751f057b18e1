// What scanned/ holds, in memory: loaded once at start-up (the names carry the durations),
// then kept current as ingest files things, so that planning never lists the tree.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isIgnoredName, parseResolutionClass, parseScannedMediaName, type Layout } from '../shared/layout.js';

export interface CatalogClip {
  /** Relative to the root. */
  path: string;
  id: string;
  duration: number;
}

export interface CatalogClass {
  name: string;
  width: number;
  height: number;
  clips: CatalogClip[];
}

export interface CatalogMusic {
  path: string;
  id: string;
  duration: number;
}

export interface CategoryCatalog {
  video: CatalogClass[];
  music: CatalogMusic[];
  /** Decorative overlay layers (scanned/frame/<category>/), by resolution class. */
  frames?: CatalogClass[];
}

export interface CatalogVoice {
  /** Relative to the root. */
  path: string;
  category: string;
  story: string;
  name: string;
}

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
}

export class Catalog {
  private readonly categories = new Map<string, Category>();
  private readonly voices = new Map<string, CatalogVoice>();
  private snapshots = new Map<string, CategoryCatalog>();

  private cat(name: string): Category {
    let c = this.categories.get(name);
    if (!c) this.categories.set(name, (c = { classes: new Map(), frames: new Map(), clipPaths: new Set(), music: new Map() }));
    return c;
  }

  /**
   * Adds a file of scanned/ by its root-relative path; anything that is not a clip of a
   * resolution class, a normalized track or a voice is ignored. Returns whether it was added.
   */
  add(rel: string): boolean {
    const p = rel.split('/');
    if (p[0] !== 'scanned') return false;
    if ((p[1] === 'video' || p[1] === 'frame') && p.length === 5) {
      const size = parseResolutionClass(p[3]!);
      const parsed = parseScannedMediaName(p[4]!);
      if (!size || !parsed || parsed.ext !== 'mp4' || parsed.duration <= 0) return false;
      const c = this.cat(p[2]!);
      if (c.clipPaths.has(rel)) return false;
      const classes = p[1] === 'video' ? c.classes : c.frames;
      let cls = classes.get(p[3]!);
      if (!cls) classes.set(p[3]!, (cls = { name: p[3]!, ...size, clips: [] }));
      cls.clips.push({ path: rel, id: parsed.id, duration: parsed.duration });
      c.clipPaths.add(rel);
      this.snapshots.delete(p[2]!);
      return true;
    }
    if (p[1] === 'music' && p.length === 5 && p[3] === 'mp3') {
      const parsed = parseScannedMediaName(p[4]!);
      if (!parsed || parsed.ext !== 'mp3' || parsed.duration <= 0) return false;
      const c = this.cat(p[2]!);
      if (c.music.has(rel)) return false;
      c.music.set(rel, { path: rel, id: parsed.id, duration: parsed.duration });
      this.snapshots.delete(p[2]!);
      return true;
    }
    if (p[1] === 'story' && p.length === 6 && p[4] === 'voice' && p[5]!.toLowerCase().endsWith('.mp3') && !p[5]!.startsWith('.')) {
      if (this.voices.has(rel)) return false;
      this.voices.set(rel, { path: rel, category: p[2]!, story: p[3]!, name: p[5]! });
      return true;
    }
    return false;
  }

  /** The category's footage and music, in a stable order (clips and tracks sorted by path). */
  category(name: string): CategoryCatalog {
    const cached = this.snapshots.get(name);
    if (cached) return cached;
    const c = this.categories.get(name);
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    const classes = (m: Map<string, CatalogClass>) => [...m.values()].map((k) => ({ ...k, clips: [...k.clips].sort(byPath) })).sort((a, b) => (a.name < b.name ? -1 : 1));
    const snap: CategoryCatalog = c ? { video: classes(c.classes), music: [...c.music.values()].sort(byPath), frames: classes(c.frames) } : { video: [], music: [], frames: [] };
    this.snapshots.set(name, snap);
    return snap;
  }

  voiceList(): CatalogVoice[] {
    return [...this.voices.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  get size(): { clips: number; music: number; voices: number } {
    let clips = 0;
    let music = 0;
    for (const c of this.categories.values()) {
      clips += c.clipPaths.size;
      music += c.music.size;
    }
    return { clips, music, voices: this.voices.size };
  }

  /** Reads scanned/ once. */
  static async load(layout: Layout): Promise<Catalog> {
    const catalog = new Catalog();
    for (const kind of ['video', 'frame']) {
      for (const category of await names(join(layout.scanned, kind))) {
        for (const cls of await names(join(layout.scanned, kind, category))) {
          if (!parseResolutionClass(cls)) continue;
          for (const n of await names(join(layout.scanned, kind, category, cls))) catalog.add(`scanned/${kind}/${category}/${cls}/${n}`);
        }
      }
    }
    for (const category of await names(join(layout.scanned, 'music'))) {
      for (const n of await names(layout.scannedMusicDir(category))) catalog.add(`scanned/music/${category}/mp3/${n}`);
    }
    for (const category of await names(join(layout.scanned, 'story'))) {
      for (const story of await names(join(layout.scanned, 'story', category))) {
        for (const n of await names(layout.scannedVoiceDir(category, story))) catalog.add(`scanned/story/${category}/${story}/voice/${n}`);
      }
    }
    return catalog;
  }
}
