// The asset record `<scanned file>.json` (src/shared/assets.ts): written by ingest (and by a
// conversion) before the file is renamed into scanned/, so that a file in scanned/ always has
// its record. scanned/ is immutable: the record of a file already there is never rewritten.
import { AssetRecordSchema, assetRecordPath, type AssetRecord } from '../../shared/assets.js';
import { exists } from '../../shared/fs.js';
import { readJsonOrNull, writeJson } from '../../shared/json.js';
import type { RawSidecar } from '../../shared/assets.js';

/** What the kind's validation (or conversion) measured: the id and the kind's facts. */
export type AssetFacts = Pick<AssetRecord, 'id'> & Partial<Pick<AssetRecord, 'duration' | 'width' | 'height' | 'campaign' | 'part' | 'take' | 'texts' | 'sound' | 'origin' | 'voice_key' | 'version'>>;

export function buildAssetRecord(kind: AssetRecord['kind'], category: string, rawPath: string, sidecar: Partial<RawSidecar> | null | undefined, facts: AssetFacts): AssetRecord {
  return {
    schema_version: 1,
    kind,
    id: facts.id,
    category,
    raw_path: rawPath,
    filed_at: new Date().toISOString(),
    tags: sidecar?.tags ?? [],
    ...(sidecar?.priority !== undefined ? { priority: sidecar.priority } : {}),
    ...(sidecar?.transcript !== undefined ? { transcript: sidecar.transcript } : {}),
    ...(sidecar?.target_seconds !== undefined ? { target_seconds: sidecar.target_seconds } : {}),
    ...(sidecar?.style !== undefined ? { style: sidecar.style } : {}),
    ...Object.fromEntries(Object.entries(facts).filter(([k, v]) => k !== 'id' && v !== undefined)),
  };
}

/**
 * Writes the record of `dest` before `dest` is renamed in. When `dest` is already there (the
 * same file filed by a run that stopped before removing it from raw/), its record stays as it
 * is and is returned. Returns the record that describes `dest`.
 */
export async function writeAssetRecord(dest: string, record: AssetRecord): Promise<AssetRecord> {
  const path = assetRecordPath(dest);
  if (await exists(dest)) {
    const kept = await readJsonOrNull(AssetRecordSchema, path);
    if (kept) return kept;
  }
  await writeJson(AssetRecordSchema, path, record);
  return record;
}
