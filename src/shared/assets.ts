// Sidecars and asset records (DESIGN §1). A raw sidecar is `<file>.json` beside a raw file,
// one schema for every kind; its facts travel with the file into scanned/, where every filed
// asset has an asset record `<scanned file>.json` beside it, written before the file is renamed
// in (so that a file in scanned/ always has its record). The catalog, `clipmill assets`, the
// planners and the dashboard read asset records; nothing rewrites them (scanned/ is immutable).
import { z } from 'zod';
import { normalizeTags } from './tags.js';

const tag = z.string({ error: 'a tag (a non-empty string)' }).refine((t) => t.trim().length > 0, { error: 'a tag (a non-empty string)' });
const tagList = () => z.array(tag, { error: 'a list of tags' }).transform(normalizeTags);

/**
 * `<raw file>.json`: what an operator says about a file. Strict: a typo'd key is an error that
 * names it, and the file and its sidecar go to trash/invalid together. Later features add keys
 * (`target_seconds`, `style`) here, in this one schema.
 */
export const RawSidecarSchema = z.strictObject(
  {
    tags: tagList().optional(),
    /** The priority of the tasks made from this file (voices, sources); default: the category's. */
    priority: z.number({ error: 'an integer' }).int({ error: 'an integer' }).optional(),
    /** What is said in a recording (voices, narration parts): captions are aligned to it. */
    transcript: z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }).optional(),
    /** Shorts (raw/short/): the seconds the short should last, 30 to 60; it ends at the last sentence that fits. */
    target_seconds: z.number({ error: 'a number of seconds from 30 to 60' }).min(30, { error: 'a number of seconds from 30 to 60' }).max(60, { error: 'a number of seconds from 30 to 60' }).optional(),
    /** A style name; for shorts the captions' style: "line", "word" or "karaoke" (checked when a short is filed). */
    style: z.string({ error: 'a style name (a non-empty string of at most 64 characters)' }).trim().min(1, { error: 'a style name (a non-empty string of at most 64 characters)' }).max(64, { error: 'a style name (a non-empty string of at most 64 characters)' }).optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'an object such as {"tags": ["spring"]}') },
);
export type RawSidecar = z.infer<typeof RawSidecarSchema>;

export const ASSET_KINDS = ['video', 'frame', 'music', 'voice', 'image', 'text', 'narration'] as const;
/** Asset records: the catalog's kinds, and audio to make shorts of (scanned/short/, read by the shorts pipeline, not jobs). */
export const RECORD_KINDS = [...ASSET_KINDS, 'short'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** One on-screen text of a text asset (a .txt is one; a .csv one per row). */
export const AssetTextSchema = z.strictObject({
  text: z.string().min(1),
  tags: z.array(z.string()),
  /** The 1-based line of the CSV row (1 for a .txt). */
  line: z.number().int().min(1),
});
export type AssetText = z.infer<typeof AssetTextSchema>;

/** `<scanned file>.json`: the asset record. */
export const AssetRecordSchema = z.strictObject({
  schema_version: z.literal(1),
  kind: z.enum(RECORD_KINDS),
  /** The asset's id (the UUID in its scanned name; for narration parts, `<category>/<campaign>/part_<NNNN>[_k]`). */
  id: z.string().min(1),
  category: z.string().min(1),
  /** Where it came from: raw/<...>. */
  raw_path: z.string().min(1),
  filed_at: z.string().min(1),
  /** From the sidecar, normalized (lower-case, trimmed); [] when untagged. */
  tags: z.array(z.string()),
  priority: z.number().int().optional(),
  transcript: z.string().optional(),
  /** Shorts: the sidecar's target_seconds and style. */
  target_seconds: z.number().positive().optional(),
  style: z.string().min(1).optional(),
  /** Seconds (video, frame, music, voice, narration). */
  duration: z.number().positive().optional(),
  /** Pixels (video, frame, image; after EXIF orientation for images). */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** Narration parts: the campaign, the part number and the take (1 for part_<NNNN>.mp3). */
  campaign: z.string().min(1).optional(),
  part: z.number().int().min(1).optional(),
  take: z.number().int().min(1).optional(),
  /**
   * Voices and narration parts: who made it, "person" (a recording dropped into raw/) or
   * "synthesized" (the narration engine); absent in records written before versions existed
   * (read: a recording when it has no `voice_key`).
   */
  origin: z.enum(['person', 'synthesized']).optional(),
  /** Synthesized voices: the narration cache key (provider, voice, settings, text) that made it. */
  voice_key: z.string().min(1).optional(),
  /** Voices and narration parts: the version (chapter_0001.v2.mp3 is 2); absent: 1. */
  version: z.number().int().min(1).optional(),
  /** Text assets: the texts parsed from the file. */
  texts: z.array(AssetTextSchema).optional(),
  /**
   * Footage whose original had sound: the concat-safe profile files the clip without audio, and
   * the original kept under scanned/<kind>/<category>/original/ holds it. `path`: that original,
   * relative to the root; `duration`: seconds of its audio (decoded at conversion); `offset`:
   * where its first sample lies on the filed clip's time (seconds; negative: before the clip's
   * first frame). Absent: the clip has no sound (a clip moved as it came never has: the profile
   * has no audio).
   */
  sound: z.strictObject({ path: z.string().min(1), duration: z.number().positive(), offset: z.number() }).optional(),
});
export type AssetRecord = z.infer<typeof AssetRecordSchema>;

/** The asset record of a scanned file: its full name plus `.json`. */
export function assetRecordPath(scannedFile: string): string {
  return `${scannedFile}.json`;
}
