// The main worker's own bookkeeping files under scanned/: the source record kept beside an
// original that waits for conversion (<original>.source.json), and the manifest of a story
// publication (.publish-<id>.json, see link.ts). One schema each, types inferred; both are
// written validated and read validated (a corrupt one counts as an unreadable one).
import { z } from 'zod';

/** The loudness measured at validation, so that conversion does not measure it again. */
export const LoudnessSchema = z.strictObject({
  /** Integrated loudness, LUFS. */
  inputI: z.number(),
  inputTp: z.number(),
  inputLra: z.number(),
  inputThresh: z.number(),
  targetOffset: z.number(),
});

/** What a raw sidecar said, normalized (RawSidecarSchema's output): it travels in the source record to the asset record written at conversion. */
export const SidecarFactsSchema = z.strictObject({
  tags: z.array(z.string()).optional(),
  priority: z.number().int().optional(),
  transcript: z.string().optional(),
});

/** <original>.source.json: what convert.ts needs to know about an original. */
export const SourceRecordSchema = z.strictObject({
  /** Where the file came from: raw/<kind>/<category>/<name>. */
  raw_path: z.string().min(1),
  moved_at: z.string().min(1),
  /** Why it is converted rather than moved (the conform decision). */
  why: z.string(),
  /** ffprobe's summary at validation. */
  probe: z.record(z.string(), z.unknown()),
  /** What validation measured that conversion reuses. */
  extra: z.strictObject({
    loudness: LoudnessSchema.optional(),
    /** The length measured by decoding the original at validation (its header may lie): what the conversion must hold. */
    decoded_seconds: z.number().positive().optional(),
    /** Stills: the EXIF orientation (2-8) the conversion applies. */
    orientation: z.number().int().min(1).max(8).optional(),
  }),
  /** The raw file's sidecar, when it had one (its facts go into the asset record of the converted file). */
  sidecar: SidecarFactsSchema.optional(),
});
export type SourceRecord = z.infer<typeof SourceRecordSchema>;

export const SOURCE_SUFFIX = '.source.json';

/** .publish-<id>.json: the renames that publish a story's chunks and sources.json, and where the link file goes. */
export const PublishManifestSchema = z.strictObject({
  renames: z.array(z.tuple([z.string().min(1), z.string().min(1)])),
  link: z.strictObject({ from: z.string().min(1), to: z.string().min(1) }),
});
export type PublishManifest = z.infer<typeof PublishManifestSchema>;
