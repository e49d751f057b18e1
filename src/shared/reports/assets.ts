// The assets scanned/ holds, as the main worker's catalog sees them (Catalog.load: the scanned
// names and each file's asset record), with each file's size on disk. `clipmill assets` prints
// them (src/cli/commands/assets.ts), GET /api/v1/assets serves them (src/server/).
import { stat } from 'node:fs/promises';
import type { AssetKind } from '../assets.js';
import { Layout } from '../layout.js';
import { hasAllTags } from '../tags.js';
import { Catalog, type CatalogAsset } from '../catalog.js';

/** One listed asset (`--json` prints an array of these). */
export interface ListedAsset {
  kind: AssetKind;
  category: string;
  /** The id a job selects it by (`{"id": ...}`); a voice's is `<category>/<story>/<name>`. */
  id: string;
  /** Relative to the root. */
  path: string;
  /** Seconds; null for stills and texts. */
  duration: number | null;
  /** Bytes of the file (a text row: of its whole file); null when it vanished meanwhile. */
  size: number | null;
  tags: string[];
  width?: number;
  height?: number;
  /** Texts. */
  text?: string;
  line?: number;
  /** Narration parts. */
  campaign?: string;
  part?: number;
  take?: number;
  /** Voices. */
  story?: string;
  /** Voices and narration parts voiced again (`clipmill narrate`) or replaced by a person's recording: 2, 3, ... (absent: 1). */
  version?: number;
  /** Footage with sound: the kept original that holds it (the asset record's `sound.path`). */
  sound?: string;
}

function listed(a: CatalogAsset, size: number | null): ListedAsset {
  const base = { kind: a.kind, category: a.category, path: a.path, size, tags: a.tags };
  switch (a.kind) {
    case 'video':
    case 'frame':
      return { ...base, id: a.id, duration: a.duration, width: a.width, height: a.height, ...(a.sound ? { sound: a.sound.path } : {}) };
    case 'music':
      return { ...base, id: a.id, duration: a.duration };
    case 'voice':
      return { ...base, id: `${a.category}/${a.story}/${a.name.replace(/\.mp3$/i, '')}`, duration: null, story: a.story, ...((a.version ?? 1) > 1 ? { version: a.version } : {}) };
    case 'image':
      return { ...base, id: a.id, duration: null, width: a.width, height: a.height };
    case 'text':
      return { ...base, id: a.id, duration: null, text: a.text, line: a.line };
    case 'narration':
      return { ...base, id: a.id, duration: a.duration, campaign: a.campaign, part: a.part, take: a.take, ...((a.version ?? 1) > 1 ? { version: a.version } : {}) };
  }
}

/** The assets of a root, filtered (`kind`, `category`, every one of `tags`), in the catalog's order. */
export async function listAssets(layout: Layout, filter: { kind?: AssetKind; category?: string; tags?: string[] } = {}): Promise<ListedAsset[]> {
  const catalog = await Catalog.load(layout);
  const sizes = new Map<string, number | null>();
  const out: ListedAsset[] = [];
  for (const a of catalog.assets()) {
    if (filter.kind && a.kind !== filter.kind) continue;
    if (filter.category !== undefined && a.category !== filter.category) continue;
    if (filter.tags?.length && !hasAllTags(a.tags, filter.tags)) continue;
    if (!sizes.has(a.path)) sizes.set(a.path, (await stat(layout.abs(a.path)).catch(() => null))?.size ?? null);
    out.push(listed(a, sizes.get(a.path)!));
  }
  return out;
}
