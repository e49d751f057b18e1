// The task folder's contract: metadata.json (spec §5 plus what reproduction and operations
// need) and video_list.txt in ffconcat format. Validated whenever it is read.
import { z } from 'zod';
import { ClipmillError } from './errors.js';
import { describeExpected, parseJson, validate } from './json.js';
import { UUID_RE } from './layout.js';
import { TimelineSchema } from './timeline/schema.js';

/**
 * The version the voice-over and instruction-set planners write; this code reads every version up
 * to METADATA_SCHEMA_LATEST (DESIGN §1 Schema versions). Version 3 is version 2 plus what came
 * with the golden-frame template, shorts and chunked renders (`chunk`, `join`, `short`, `notes`,
 * and the timeline's boxed layers, Ken Burns layers, border rects and ducked tracks): the tasks
 * that use them are written as 3, so that a worker that predates them hands them back, while the
 * others stay 2 and still render on such a worker during an upgrade (metadataVersionFor).
 */
export const METADATA_SCHEMA_VERSION = 2;
export const METADATA_SCHEMA_VERSIONS = [1, 2, 3] as const;
export const METADATA_SCHEMA_LATEST = 3;

/** The schema_version a task is written with: 3 when it carries what came after version 2 (see above), else METADATA_SCHEMA_VERSION. */
export function metadataVersionFor(m: { short?: unknown; notes?: unknown; chunk?: unknown; join?: unknown; timeline?: { audio?: readonly object[]; layers?: readonly object[] } | null | undefined }): 2 | 3 {
  if (m.short !== undefined || m.notes !== undefined || m.chunk !== undefined || m.join !== undefined) return 3;
  const set = (x: object, k: string) => (x as Record<string, unknown>)[k] !== undefined;
  const layerV3 = (l: object) => { const type = (l as { type?: unknown }).type; return (type === 'image' && (set(l, 'box') || set(l, 'ken_burns'))) || (type === 'border' && set(l, 'rect')); };
  return m.timeline?.audio?.some((a) => set(a, 'duck')) || m.timeline?.layers?.some(layerV3) ? 3 : METADATA_SCHEMA_VERSION;
}
export const TASK_FILES = { metadata: 'metadata.json', voice: 'voice.mp3', music: 'music.mp3', videoList: 'video_list.txt', logo: 'logo.png', frame: 'frame.mp4', claim: 'claim.json' } as const;

const NON_EMPTY = 'a non-empty string';
const text = () => z.string({ error: NON_EMPTY }).min(1, { error: NON_EMPTY });
const atLeast = (min: number) => z.number({ error: `a number >= ${min}` }).min(min, { error: `a number >= ${min}` });
const integerAtLeast = (min: number) => z.number({ error: `an integer >= ${min}` }).int({ error: `an integer >= ${min}` }).min(min, { error: `an integer >= ${min}` });
/** A file name inside the task folder: no folders (the render worker opens nothing outside it), no dot-files. */
/** An ISO 8601 time that Date.parse reads. */
const isoTime = () => z.string({ error: 'an ISO 8601 time' }).refine((v) => !Number.isNaN(Date.parse(v)), { error: 'an ISO 8601 time' });
const localName = () => text().refine((v) => !v.includes('/') && !v.includes('\\') && !v.startsWith('.'), { error: 'a file name inside the task folder' });
/** A strict object: unknown keys are errors (a newer writer bumps schema_version). */
const object = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'an object') });

export const TaskClipSchema = object({
  /** Path relative to the project root (scanned/video/...). */
  path: text(),
  duration: atLeast(0.001),
  /** Where the clip starts and stops being used, in seconds of the clip (the last one is cut). */
  in: atLeast(0),
  out: atLeast(0),
}).superRefine((c, ctx) => {
  if (c.out <= c.in || c.out > c.duration + 0.001) ctx.addIssue({ code: 'custom', path: ['out'], message: `a number above in (${c.in}) and at most duration (${c.duration})`, input: c.out });
});
export type TaskClip = z.infer<typeof TaskClipSchema>;

/** metadata.json `job`: one (job, source, variation), and what was drawn for it. */
export const JobFieldSchema = object({
  /** The job file's name without .json (scanned/job/<name>.json). */
  name: text(),
  /** The source video's asset id and scanned path. */
  source: text(),
  source_path: text(),
  /** 0-based; of `variations`. */
  variation: integerAtLeast(0),
  variations: integerAtLeast(1),
  /** The narration take of each part, in order (ids: <category>/<campaign>/part_<NNNN>[_k]). */
  narrations: z.array(text(), { error: 'a list of narration ids' }),
  /** The on-screen texts drawn (the words). */
  texts: z.array(z.string({ error: 'a string' }), { error: 'a list of texts' }),
  /** The logo image (scanned path), or null. */
  logo: text().nullable(),
});
export type JobField = z.infer<typeof JobFieldSchema>;

/** metadata.json `short`: a vertical short (docs/shorts.md): what it is made of and the scene plan. */
export const ShortFieldSchema = object({
  /** The short's key: `short/<category>/<name>` (audio dropped in raw/short/) or `job/<name>` (a job file). */
  key: text(),
  /** The voice (scanned path) and its word timings (scanned path). */
  audio: text(),
  words: text(),
  /** Who planned the scenes: "local" (keyword matching), or "llm". */
  planner: text(),
  /** The beats in order: output seconds, the keywords of their words, and the visual shown (scanned path) with the tags it matched. */
  beats: z.array(
    object({
      start: atLeast(0),
      end: atLeast(0),
      text: z.string({ error: 'a string' }),
      keywords: z.array(z.string({ error: 'a string' }), { error: 'a list of keywords' }),
      visual: text(),
      matched: z.array(z.string({ error: 'a string' }), { error: 'a list of tags' }),
    }),
    { error: 'a list of beats' },
  ),
});
export type ShortField = z.infer<typeof ShortFieldSchema>;
/** Planner notes: a stable code and a sentence (docs/golden-frame.md lists the codes). */
export const PlanNotesSchema = z.array(object({ code: text(), message: text() }), { error: 'a list of { "code", "message" }' });
export type PlanNotes = z.infer<typeof PlanNotesSchema>;
/** A chunk's frames (src/shared/timeline/chunks.ts ChunkRange). */
export const ChunkRangeSchema = object({
  index: integerAtLeast(0),
  from_frame: integerAtLeast(0),
  to_frame: integerAtLeast(1),
  start_frame: integerAtLeast(0),
  segment: integerAtLeast(0),
}).superRefine((c, ctx) => {
  if (c.to_frame <= c.from_frame) ctx.addIssue({ code: 'custom', path: ['to_frame'], message: `an integer above from_frame (${c.from_frame})`, input: c.to_frame });
  if (c.start_frame > c.from_frame) ctx.addIssue({ code: 'custom', path: ['start_frame'], message: `an integer at most from_frame (${c.from_frame})`, input: c.start_frame });
});

/** metadata.json `chunk` (schema_version 3): this task renders one artifact of task `of`: a video chunk, or the audio of the whole timeline. */
export const ChunkFieldSchema = object({
  of: z.string({ error: 'a UUID' }).regex(UUID_RE, { error: 'a UUID' }),
  kind: z.enum(['video', 'audio'], { error: '"video" or "audio"' }),
  /** The video chunk's frames; absent for the audio. */
  range: ChunkRangeSchema.optional(),
  /** The encoder's output arguments of every video chunk (`-c:v libx264 ...`), fixed when the task was split: the same on every node. */
  encoder_argv: z.array(z.string(), { error: 'a list of strings' }).optional(),
}).superRefine((c, ctx) => {
  if ((c.kind === 'video') !== (c.range !== undefined)) ctx.addIssue({ code: 'custom', path: ['range'], message: c.kind === 'video' ? 'the chunk\'s frames (kind "video")' : 'absent (kind "audio")', input: c.range });
});
export type ChunkField = z.infer<typeof ChunkFieldSchema>;

/** metadata.json `join` (schema_version 3): the chunk plan this task was split by; the task joins its chunks once every one is in chunks/<id>/. */
export const JoinFieldSchema = object({
  fps: atLeast(1),
  frames: integerAtLeast(1),
  chunks: z.array(ChunkRangeSchema, { error: 'a list of chunks' }).min(2, { error: 'at least 2 chunks' }),
  audio: z.boolean({ error: 'true or false' }),
  /** The encoder's output arguments of every video chunk, fixed at the split (the splitting node's render.encoderArgs.libx264 and quality preset). */
  encoder_argv: z.array(z.string(), { error: 'a list of strings' }).optional(),
});
export type JoinField = z.infer<typeof JoinFieldSchema>;

/**
 * metadata.json: the spec's §5 fields plus what reproduction and operations need. Version 2
 * adds `timeline` (docs/timeline.md), the whole description of the video; a version 1 task
 * (no timeline) renders the voice-over timeline of its fields.
 */
export const MetadataSchema = object({
  schema_version: z.union(METADATA_SCHEMA_VERSIONS.map((v) => z.literal(v)), { error: METADATA_SCHEMA_VERSIONS.join(' or ') }),
  task_id: z.string({ error: 'a UUID' }).regex(UUID_RE, { error: 'a UUID' }),
  created_at: text(),
  category: text(),
  story_name: text(),
  /** 0-based variation of the voice file. */
  variation: integerAtLeast(0),
  /** The seed of every random choice made for this task. */
  seed: integerAtLeast(0),
  /** How many times a render worker started it. */
  attempts: integerAtLeast(0),
  /** The voice in the task folder. Null for a job task: its narrations are timeline audio tracks (job.narrations). */
  voice_file: localName().nullable(),
  /** The scanned voice file, relative to the root; null for a job task. */
  voice_source: text().nullable(),
  /** Seconds of the voice; for a job task (no single voice), the seconds of the whole video. */
  voice_duration: atLeast(0.001),
  /** No music: all three are null. A job task names its music in the timeline (music_file null, music_source the scanned track). */
  music_file: localName().nullable(),
  music_source: text().nullable(),
  music_duration: atLeast(0.001).nullable(),
  /** The ffconcat list of the clips; null for a job task (its timeline is what renders). */
  video_list: localName().nullable(),
  /** A decorative layer blended over the footage (screen), looped; null or absent for none. */
  frame_file: localName().nullable().optional(),
  frame_source: text().nullable().optional(),
  /** The resolution class the clips come from (mp4_w<W>_h<H>). */
  video_class: text(),
  video_files: z.array(TaskClipSchema, { error: 'a non-empty list' }).min(1, { error: 'a non-empty list' }),
  audio: object({ voice_volume: atLeast(0), music_volume: atLeast(0), fade_out_seconds: atLeast(0) }),
  render: object({
    resolution: z.string({ error: '"WIDTHxHEIGHT"' }).regex(/^\d+x\d+$/, { error: '"WIDTHxHEIGHT"' }),
    frame_rate: atLeast(1),
    fit: z.enum(['pad', 'crop'], { error: '"pad" or "crop"' }),
    logo: localName().nullable(),
    logo_width: atLeast(0),
    output_format: z.literal('mp4', { error: '"mp4"' }),
  }),
  timeline: TimelineSchema.optional(),
  /** Claim order: higher first, then older (absent: 0). From the job file, the voice's sidecar, or tasks.categories.<category>.priority. */
  priority: z.number({ error: 'an integer' }).int({ error: 'an integer' }).optional(),
  /** No render worker claims the task before this time (ISO 8601): set by the backoff after a recoverable or resource failure. */
  not_before: isoTime().optional(),
  /**
   * Nodes that failed the task for memory (class resource): each leaves it to other nodes until
   * `until`, after which it may take it again (a farm of one node still renders it).
   */
  avoid_nodes: z.array(object({ node: text(), until: isoTime() }), { error: 'a list of { "node", "until" }' }).optional(),
  /** The failure that sent the task back to tasks/ last (the queue's routing; the report's "reduced"). */
  last_failure: object({
    code: text(),
    class: z.enum(['recoverable', 'fatal', 'resource'], { error: '"recoverable", "fatal" or "resource"' }),
    message: z.string({ error: 'a string' }),
    node: text(),
    at: isoTime(),
  }).optional(),
  /** Render a draft preview first (previews/<id>/), then the final; absent: render.preview decides. */
  preview: z.boolean({ error: 'true or false' }).optional(),
  /** An edit's task: the id of the original task it revises (revisions/<revision_of>.json lists them). */
  revision_of: z.string({ error: 'a UUID' }).regex(UUID_RE, { error: 'a UUID' }).optional(),
  /** How many times an opened circuit breaker took the task back from trash/failed after a fatal verdict (at most once). */
  breaker_returns: integerAtLeast(1).optional(),
  /** The edit's number, from 1 (revision 0 is the original). */
  revision: integerAtLeast(1).optional(),
  /** A job task (docs/jobs.md): which job, source and variation it is; absent for a voice-over task. */
  job: JobFieldSchema.optional(),
  /** A vertical short (docs/shorts.md): its key, voice and scene plan; absent for other tasks. */
  short: ShortFieldSchema.optional(),
  /** What the planner did instead of what was asked (a fallback: no usable beats, no frame PNG); copied into report.json. Absent: nothing. */
  notes: PlanNotesSchema.optional(),
  /** A chunk task (schema_version 3, docs/chunks.md): which artifact of which task it renders. */
  chunk: ChunkFieldSchema.optional(),
  /** A chunked task (schema_version 3, docs/chunks.md): its chunk plan; it joins its chunks. */
  join: JoinFieldSchema.optional(),
}).superRefine((m, ctx) => {
  if (m.chunk && m.join) ctx.addIssue({ code: 'custom', path: ['join'], message: 'absent (the task is a chunk)', input: m.join });
  if (m.schema_version >= 2 && !m.timeline) ctx.addIssue({ code: 'custom', path: ['timeline'], message: 'a timeline (schema_version 2)', input: undefined });
  if (m.schema_version === 1 && m.timeline) ctx.addIssue({ code: 'custom', path: ['schema_version'], message: '2 (the task has a timeline)', input: 1 });
  if (m.schema_version < 3 && metadataVersionFor(m) === 3) {
    const what = (['chunk', 'join', 'short', 'notes'] as const).find((k) => m[k] !== undefined) ?? 'a timeline element of version 3 (an audio duck, an image box or ken_burns, a border rect)';
    ctx.addIssue({ code: 'custom', path: ['schema_version'], message: `3 (the task has ${what})`, input: m.schema_version });
  }
  // A file in the task folder comes with where it came from (and music with its length).
  const need = (when: unknown, field: 'music_source' | 'music_duration' | 'frame_source', expected: string) => {
    if (when !== null && when !== undefined && (m[field] === null || m[field] === undefined)) ctx.addIssue({ code: 'custom', path: [field], message: expected, input: m[field] });
  };
  need(m.music_file, 'music_source', `${NON_EMPTY} (music_file is set)`);
  need(m.music_file, 'music_duration', 'a number >= 0.001 (music_file is set)');
  need(m.frame_file, 'frame_source', `${NON_EMPTY} (frame_file is set)`);
  if ((m.revision_of === undefined) !== (m.revision === undefined)) ctx.addIssue({ code: 'custom', path: [m.revision === undefined ? 'revision' : 'revision_of'], message: 'set together with ' + (m.revision === undefined ? 'revision_of' : 'revision'), input: undefined });
  // Only a job task (a timeline with its narrations as tracks) goes without a voice and a clip list.
  if (!m.job && !m.short) {
    if (m.voice_file === null) ctx.addIssue({ code: 'custom', path: ['voice_file'], message: `${NON_EMPTY} (not a job task)`, input: null });
    if (m.voice_source === null) ctx.addIssue({ code: 'custom', path: ['voice_source'], message: `${NON_EMPTY} (not a job task)`, input: null });
    if (m.video_list === null) ctx.addIssue({ code: 'custom', path: ['video_list'], message: `${NON_EMPTY} (not a job task)`, input: null });
  }
  if ((m.job || m.short) && !m.timeline) ctx.addIssue({ code: 'custom', path: ['timeline'], message: 'a timeline (a job task)', input: undefined });
});
export type TaskMetadata = z.infer<typeof MetadataSchema>;

/** Validates parsed metadata.json; throws ClipmillError('TASK_INVALID') naming the field and the bad value. */
export function validateMetadata(value: unknown): TaskMetadata {
  return validate(MetadataSchema, value, TASK_FILES.metadata, 'TASK_INVALID', describeExpected);
}

export function parseMetadata(text: string): TaskMetadata {
  return parseJson(MetadataSchema, text, TASK_FILES.metadata, 'TASK_INVALID', describeExpected);
}

/**
 * Quotes a path for an ffconcat `file` line. Inside single quotes everything is literal, so
 * a quote is written as '\'' (close, escaped quote, reopen). Line breaks cannot be expressed
 * in the format at all (the demuxer reads line by line): such paths are refused, and ingest
 * rejects folder names with control characters so they never reach a list.
 */
export function ffconcatQuote(path: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\u0000]/.test(path)) throw new ClipmillError('TASK_INVALID', `path ${JSON.stringify(path)} contains a line break and cannot be written to an ffconcat list`);
  return `'${path.replace(/'/g, "'\\''")}'`;
}

/** video_list.txt: paths are relative to the list's own folder, as the concat demuxer reads them. */
export function buildFfconcat(paths: string[]): string {
  return `ffconcat version 1.0\n${paths.map((p) => `file ${ffconcatQuote(p)}\n`).join('')}`;
}
