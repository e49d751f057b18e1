// The names of scanned stills, texts and narration parts (DESIGN §1): the catalog reads them,
// ingest writes them. Scanned footage and music names are in layout.ts (scannedMediaName).
import { UUID_RE } from './layout.js';

/** scanned/image/<category>/<W>x<H>_<uuid>.<png|jpg|webp> */
export function scannedImageName(width: number, height: number, id: string, ext: 'png' | 'jpg' | 'webp'): string {
  return `${width}x${height}_${id}.${ext}`;
}

export function parseScannedImageName(name: string): { width: number; height: number; id: string; ext: string } | null {
  const m = /^(\d+)x(\d+)_([0-9a-f-]{36})\.(png|jpg|webp)$/i.exec(name);
  if (!m || !UUID_RE.test(m[3]!)) return null;
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (!(width > 0 && height > 0)) return null;
  return { width, height, id: m[3]!.toLowerCase(), ext: m[4]!.toLowerCase() };
}

/** scanned/text/<category>/<uuid>.<txt|csv> */
export function parseScannedTextName(name: string): { id: string; ext: string } | null {
  const m = /^([0-9a-f-]{36})\.(txt|csv)$/i.exec(name);
  if (!m || !UUID_RE.test(m[1]!)) return null;
  return { id: m[1]!.toLowerCase(), ext: m[2]!.toLowerCase() };
}

/**
 * part_<NNNN>.mp3 (take 1) and part_<NNNN>_<k>.mp3 (take k ≥ 2), raw and scanned alike; in
 * scanned/ also their later versions part_<NNNN>[_<k>].v<N>.mp3 (N ≥ 2, `clipmill narrate`).
 */
export function parseNarrationPartName(name: string): { part: number; take: number; version: number } | null {
  const m = /^part_(\d{4,})(?:_(\d+))?(?:\.v(\d+))?\.mp3$/.exec(name);
  if (!m) return null;
  const part = Number(m[1]);
  const take = m[2] === undefined ? 1 : Number(m[2]);
  const version = m[3] === undefined ? 1 : Number(m[3]);
  if (!(part >= 1) || !(take >= 1) || (m[2] !== undefined && take < 2) || !Number.isSafeInteger(part) || !Number.isSafeInteger(take)) return null;
  if (m[3] !== undefined && !(version >= 2 && Number.isSafeInteger(version))) return null;
  return { part, take, version };
}

/**
 * Versions of a voice or narration part (DESIGN §1: scanned/ is immutable, so a voice made
 * again is a new file): `chapter_0001.mp3` is version 1, `chapter_0001.v2.mp3` version 2, and
 * so on. `base` is the name of version 1; the highest version is the one new plans use.
 */
export function parseVersionedName(name: string): { base: string; version: number } {
  const m = /^(.+)\.v(\d+)\.mp3$/i.exec(name);
  if (m && Number(m[2]) >= 2 && Number.isSafeInteger(Number(m[2])) && !/^0/.test(m[2]!)) return { base: `${m[1]}.mp3`, version: Number(m[2]) };
  return { base: name, version: 1 };
}

/** The name of version `version` of `base` (an .mp3 name of version 1). */
export function versionedName(base: string, version: number): string {
  return version <= 1 ? base : base.replace(/\.mp3$/i, `.v${version}.mp3`);
}

/** The id of a narration part: `<category>/<campaign>/part_<NNNN>[_<k>]` (its scanned name without .mp3). */
export function narrationPartId(category: string, campaign: string, name: string): string {
  return `${category}/${campaign}/${name.replace(/\.mp3$/, '')}`;
}
