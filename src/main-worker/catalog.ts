// What scanned/ holds, read from the names ingest gave the files (durations are in them).
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

export async function readCategory(layout: Layout, category: string): Promise<CategoryCatalog> {
  const video: CatalogClass[] = [];
  for (const cls of await names(join(layout.scanned, 'video', category))) {
    const size = parseResolutionClass(cls);
    if (!size) continue;
    const clips: CatalogClip[] = [];
    for (const n of await names(join(layout.scanned, 'video', category, cls))) {
      const parsed = parseScannedMediaName(n);
      if (parsed && parsed.ext === 'mp4' && parsed.duration > 0) clips.push({ path: `scanned/video/${category}/${cls}/${n}`, id: parsed.id, duration: parsed.duration });
    }
    if (clips.length) video.push({ name: cls, ...size, clips });
  }
  const music: CatalogMusic[] = [];
  for (const n of await names(layout.scannedMusicDir(category))) {
    const parsed = parseScannedMediaName(n);
    if (parsed && parsed.ext === 'mp3' && parsed.duration > 0) music.push({ path: `scanned/music/${category}/mp3/${n}`, id: parsed.id, duration: parsed.duration });
  }
  return { video, music };
}

export async function listVoices(layout: Layout): Promise<CatalogVoice[]> {
  const out: CatalogVoice[] = [];
  for (const category of await names(join(layout.scanned, 'story'))) {
    for (const story of await names(join(layout.scanned, 'story', category))) {
      for (const name of await names(layout.scannedVoiceDir(category, story))) {
        if (name.toLowerCase().endsWith('.mp3')) out.push({ path: `scanned/story/${category}/${story}/voice/${name}`, category, story, name });
      }
    }
  }
  return out;
}
