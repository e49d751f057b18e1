// Catalogs for job tests: assets described by kind, category, seconds and tags, turned into the
// scanned/ paths and asset records the real Catalog reads (and, for render tests, real files).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AssetRecord } from '../src/shared/assets.js';
import { Catalog } from '../src/shared/catalog.js';
import { formatDuration } from '../src/shared/layout.js';
import { stableUuid } from '../src/shared/ids.js';

export interface FixtureAsset {
  kind: 'video' | 'music' | 'image' | 'text' | 'narration';
  category: string;
  tags?: string[];
  seconds?: number;
  /** Narration parts. */
  campaign?: string;
  part?: number;
  take?: number;
  /** Text assets: the words. */
  text?: string;
  /** Video and images: pixels (default 160x90 / 32x32). */
  width?: number;
  height?: number;
  /** What a render test makes the file with (a colour for video and images, a frequency for audio). */
  color?: string;
  freq?: number;
  /** Distinguishes otherwise equal assets (their ids). */
  n?: number;
}

export function fixtureId(a: FixtureAsset): string {
  return stableUuid('fixture', a.kind, a.category, String(a.n ?? 0), String(a.part ?? 0), String(a.take ?? 1), a.text ?? '', (a.tags ?? []).join(','));
}

/** The scanned/ path of an asset (as ingest names it). */
export function fixturePath(a: FixtureAsset): string {
  const id = fixtureId(a);
  switch (a.kind) {
    case 'video':
      return `scanned/video/${a.category}/mp4_w${a.width ?? 160}_h${a.height ?? 90}/${formatDuration(a.seconds ?? 3)}_${id}.mp4`;
    case 'music':
      return `scanned/music/${a.category}/mp3/${formatDuration(a.seconds ?? 10)}_${id}.mp3`;
    case 'image':
      return `scanned/image/${a.category}/${a.width ?? 32}x${a.height ?? 32}_${id}.png`;
    case 'text':
      return `scanned/text/${a.category}/${id}.txt`;
    case 'narration':
      return `scanned/narration/${a.category}/${a.campaign ?? 'camp'}/part_${String(a.part ?? 1).padStart(4, '0')}${(a.take ?? 1) > 1 ? `_${a.take}` : ''}.mp3`;
  }
}

export function fixtureRecord(a: FixtureAsset): AssetRecord {
  const id = a.kind === 'narration' ? fixturePath(a).replace(/^scanned\/narration\//, '').replace(/\.mp3$/, '') : fixtureId(a);
  return {
    schema_version: 1,
    kind: a.kind,
    id,
    category: a.category,
    raw_path: 'raw/fixture',
    filed_at: '2026-01-01T00:00:00Z',
    tags: a.tags ?? [],
    ...(a.kind === 'narration' ? { duration: a.seconds ?? 2, campaign: a.campaign ?? 'camp', part: a.part ?? 1, take: a.take ?? 1 } : {}),
    ...(a.kind === 'text' ? { texts: [{ text: a.text ?? 'Hello', tags: a.tags ?? [], line: 1 }] } : {}),
  };
}

export function fixtureCatalog(assets: readonly FixtureAsset[]): Catalog {
  const c = new Catalog();
  for (const a of assets) if (!c.add(fixturePath(a), fixtureRecord(a))) throw new Error(`fixture not added: ${fixturePath(a)}`);
  return c;
}

/** Writes the asset records (and, with `make`, the files) under `root`. */
export async function writeFixtures(root: string, assets: readonly FixtureAsset[], make?: (a: FixtureAsset, path: string) => Promise<void>): Promise<void> {
  for (const a of assets) {
    const p = join(root, fixturePath(a));
    await mkdir(dirname(p), { recursive: true });
    if (make) await make(a, p);
    else await writeFile(p, '');
    await writeFile(`${p}.json`, JSON.stringify(fixtureRecord(a)));
  }
}
