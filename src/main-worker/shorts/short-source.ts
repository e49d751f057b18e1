// What a short is made of, whatever brought it (raw/short/ or a job file), and what derives
// from its key: its task id and its seed (the same short, the same task and plan, after any restart).
import { createHash } from 'node:crypto';
import { stableUuid } from '../../shared/ids.js';
import type { Selector, ShortAudio } from '../../shared/job.js';
import { parseVersionedName } from '../../shared/asset-names.js';
import type { AssetRecord } from '../../shared/assets.js';
import type { Catalog, CatalogNarrationPart } from '../../shared/catalog.js';
import type { ShortRules } from '../planners/short.js';

export function shortTaskIdFor(key: string): string {
  return stableUuid('clipmill-short-task', key);
}

/** The seed of a short's draws: 32 bits of a hash of its key. */
export function shortSeed(key: string): number {
  return createHash('sha256').update(`clipmill-short-seed\0${key}`).digest().readUInt32BE(0);
}

/** One short to make: what it is made of, whatever brought it (raw/short/ or a job file). */
export interface ShortSource {
  key: string;
  /** The voice, relative to the root, and its seconds. */
  audio: string;
  duration: number;
  category: string;
  /** What is said, to align offline when there are no word timings yet. */
  transcript?: string | undefined;
  targetSeconds?: number | undefined;
  style?: ShortRules['captionStyle'] | undefined;
  music?: Selector | undefined;
  priority: number;
  quality: ShortRules['quality'];
  output?: { width: number; height: number; fps: number } | undefined;
}

/**
 * The voice a short job selects, or what is missing: a narration part (its first take, latest
 * version) or a story's voice (its latest version, its length from its asset record, read by
 * `record` from the voice's root-relative path).
 */
export async function shortJobVoice(sel: ShortAudio, catalog: Catalog, record: (path: string) => Promise<AssetRecord | null>): Promise<{ path: string; duration: number; category: string; transcript?: string | undefined } | { missing: string }> {
  if (sel.story !== undefined) {
    const found = catalog.voiceList().find((v) => v.category === sel.category && v.story === sel.story && parseVersionedName(v.name).base.replace(/\.mp3$/i, '') === sel.voice);
    const rec = found ? await record(found.path) : null;
    if (!found || !rec?.duration) return { missing: `voice ${sel.voice} in scanned/story/${sel.category}/${sel.story}/voice/` };
    return { path: found.path, duration: rec.duration, category: found.category, transcript: rec.transcript };
  }
  const byId = sel.id !== undefined ? catalog.byId(sel.id) : null;
  const part: CatalogNarrationPart | null = sel.id !== undefined ? (byId?.kind === 'narration' ? byId : null) : (catalog.narration(sel.category!, sel.campaign!).get(sel.part!)?.[0] ?? null);
  if (!part) return { missing: sel.id !== undefined ? `narration ${sel.id}` : `narration part ${sel.part} in scanned/narration/${sel.category}/${sel.campaign}/` };
  return { path: part.path, duration: part.duration, category: part.category, transcript: part.transcript };
}
