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

/** part_<NNNN>.mp3 (take 1) and part_<NNNN>_<k>.mp3 (take k ≥ 2), raw and scanned alike. */
export function parseNarrationPartName(name: string): { part: number; take: number } | null {
  const m = /^part_(\d{4,})(?:_(\d+))?\.mp3$/.exec(name);
  if (!m) return null;
  const part = Number(m[1]);
  const take = m[2] === undefined ? 1 : Number(m[2]);
  if (!(part >= 1) || !(take >= 1) || (m[2] !== undefined && take < 2) || !Number.isSafeInteger(part) || !Number.isSafeInteger(take)) return null;
  return { part, take };
}

/** The id of a narration part: `<category>/<campaign>/part_<NNNN>[_<k>]` (its scanned name without .mp3). */
export function narrationPartId(category: string, campaign: string, name: string): string {
  return `${category}/${campaign}/${name.replace(/\.mp3$/, '')}`;
}
