// Job files (raw/job/<name>.json; later submitted by the dashboard through the same schema): N
// unique videos from one recipe. docs/jobs.md documents every key with examples; a test parses
// each example of it with this schema. Strict: an unknown key (a typo) is an error naming it, and
// every error names the field and the bad value (`parts[1].clip_seconds.min: a number > 0, got -1`).
import { z } from 'zod';
import { ClipmillError } from './errors.js';
import { describeIssues, fieldPath } from './json.js';
import { CAPTION_STYLES, QUALITIES } from './timeline/schema.js';

// Field builders, selectors and MAX_VARIATIONS live in job-fields.ts, which template schemas
// (src/shared/jobs/<template>.ts) import: importing them from here would be an import cycle
// (this file imports the template schemas). Re-exported for everyone else.
export { above, between, bool, intBetween, list, MAX_VARIATIONS, nonEmpty, num, object, SelectorSchema, type Selector } from './job-fields.js';
import { above, between, bool, intBetween, list, MAX_VARIATIONS, nonEmpty, object, resolutionField, SelectorSchema } from './job-fields.js';
import { GoldenFrameJobSchema, type GoldenFrameJob } from './jobs/golden-frame.js';

/** A recorded narration part: scanned/narration/<category>/<campaign>/part_<NNNN>[_<take>].mp3 (every take of it), or one take by id. */
export const NarrationSelectorSchema = object({
  id: nonEmpty('a narration id').optional(),
  category: nonEmpty('a category name').optional(),
  campaign: nonEmpty('a campaign name').optional(),
  part: intBetween(1, 9999).optional(),
}).superRefine((s, ctx) => {
  if (s.id !== undefined) {
    if (s.category !== undefined || s.campaign !== undefined || s.part !== undefined) ctx.addIssue({ code: 'custom', path: ['id'], message: 'an id alone (no category, campaign or part with it)', input: s.id });
    return;
  }
  for (const k of ['category', 'campaign', 'part'] as const) if (s[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: k === 'part' ? 'an integer from 1 to 9999 (with category and campaign)' : `a non-empty string (a narration selector is {"category", "campaign", "part"} or {"id"})`, input: undefined });
});
export type NarrationSelector = z.infer<typeof NarrationSelectorSchema>;

/**
 * On-screen text: a literal `text`, or texts of raw/text assets (`id`, or `category` and `tags`),
 * of which one whose tags match the footage under it is drawn per variation. The font and the size
 * are drawn per variation from `fonts` x `sizes` (absent: from the installed fonts).
 */
export const TextSpecSchema = object({
  text: z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }).max(500, { error: 'at most 500 characters' }).optional(),
  id: nonEmpty('a text asset id').optional(),
  category: nonEmpty('a category name').optional(),
  tags: list(nonEmpty('a tag'), 'a list of tags', 0).optional(),
  fonts: list(nonEmpty('a font family name'), 'a non-empty list of font family names').optional(),
  /** Pixels of the output. */
  sizes: list(between(4, 1000), 'a non-empty list of sizes from 4 to 1000').optional(),
}).superRefine((s, ctx) => {
  const ways = [s.text !== undefined, s.id !== undefined, s.category !== undefined].filter(Boolean).length;
  if (ways !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'one of "text" (the words), "id" (a text asset) or "category" (with optional "tags")', input: s });
  if (s.tags !== undefined && s.category === undefined) ctx.addIssue({ code: 'custom', path: ['tags'], message: 'tags with a category', input: s.tags });
});
export type TextSpec = z.infer<typeof TextSpecSchema>;

const range = (min: number, max: number, what: string) =>
  z
    .tuple([between(min, max), between(min, max)], { error: `[low, high], ${what} from ${min} to ${max}` })
    .refine(([a, b]) => a <= b, { error: 'low <= high' });

/** Per-variation effect values, drawn uniformly inside each [low, high] (absent: no change). */
export const UniquenessSchema = object({
  contrast: range(0, 4, 'contrast factors').optional(),
  brightness: range(-1, 1, 'brightness offsets').optional(),
  saturation: range(0, 3, 'saturation factors').optional(),
  speed: range(0.5, 2, 'speed factors').optional(),
  pitch: range(0.5, 2, 'pitch factors').optional(),
});
export type Uniqueness = z.infer<typeof UniquenessSchema>;

export const JobOutputSchema = object({
  resolution: resolutionField().optional(),
  fps: between(1, 120).optional(),
});

export const PartSchema = object({
  /** Where the part's clips come from (any of the selectors). */
  footage: list(SelectorSchema, 'a non-empty list of selectors'),
  /** How many clips the part cuts between (looped or trimmed to the narration). */
  clips: intBetween(1, 100),
  /** Seconds each clip is shown. */
  clip_seconds: object({ min: above(0), max: above(0) }).superRefine((c, ctx) => {
    if (c.max < c.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `a number >= min (${c.min})`, input: c.max });
  }),
  /** The part lasts as long as its narration (one take of it, drawn per variation). */
  narration: NarrationSelectorSchema,
  text: TextSpecSchema.optional(),
  /** The job's logo lies over this part. */
  logo: bool().default(false),
});
export type Part = z.infer<typeof PartSchema>;

export const JobSchema = object({
  /** Videos made of each source, each one different. */
  variations: intBetween(1, MAX_VARIATIONS).default(1),
  /** Claim order of its tasks: higher first. */
  priority: z.number({ error: 'an integer' }).int({ error: 'an integer' }).min(-1000, { error: 'an integer from -1000 to 1000' }).max(1000, { error: 'an integer from -1000 to 1000' }).default(0),
  quality: z.enum(QUALITIES, { error: '"draft", "normal" or "high"' }).default('normal'),
  /** The source videos (scanned/video/): each one gets `variations` outputs of its own. */
  sources: list(SelectorSchema, 'a non-empty list of selectors'),
  /** Absent keys: render.resolution and render.fps of the configuration. */
  output: JobOutputSchema.default({}),
  /** Mirror the source (only the source: never the parts' footage). */
  flip_source: bool().default(false),
  /** Absent: one-part mode (the source alone, with `audio`, `text`, `logo` and the effects). */
  parts: list(PartSchema, 'a non-empty list of parts').max(50, { error: 'at most 50 parts' }).optional(),
  /** Multi-part: music over parts from_part..to_part (1-based, inclusive). */
  soundtrack: object({
    music: SelectorSchema,
    from_part: intBetween(1, 50).default(1),
    /** Absent: the last part. */
    to_part: intBetween(1, 50).optional(),
    volume: between(0, 10).default(0.25),
    /** The source's own sound (its kept original's audio) under its segment; 0: silent. */
    source_volume: between(0, 10).default(1),
  }).optional(),
  /** One-part mode: music under the whole video, mixed with the source's own sound at source_volume (0: silent). */
  audio: object({ music: SelectorSchema, volume: between(0, 10).default(0.3), source_volume: between(0, 10).default(1) }).optional(),
  /** One-part mode: a text over the source. */
  text: TextSpecSchema.optional(),
  /** An image (scanned/image/): over the whole video in one-part mode, over the parts with "logo": true otherwise. */
  logo: SelectorSchema.optional(),
  uniqueness: UniquenessSchema.default({}),
}).superRefine((j, ctx) => {
  const issue = (path: (string | number)[], message: string, input: unknown) => ctx.addIssue({ code: 'custom', path, message, input });
  if (j.parts === undefined) {
    if (j.soundtrack) issue(['soundtrack'], 'absent in one-part mode (no "parts"): use "audio"', j.soundtrack);
    return;
  }
  if (j.audio) issue(['audio'], 'absent when the job has "parts": use "soundtrack"', j.audio);
  if (j.text) issue(['text'], 'absent when the job has "parts": give each part its "text"', j.text);
  const n = j.parts.length;
  if (j.soundtrack) {
    const { from_part: from, to_part: to } = j.soundtrack;
    if (from > n) issue(['soundtrack', 'from_part'], `a part number from 1 to ${n}`, from);
    if (to !== undefined && (to > n || to < from)) issue(['soundtrack', 'to_part'], `a part number from from_part (${from}) to ${n}`, to);
  }
  j.parts.forEach((p, i) => {
    if (p.logo && !j.logo) issue(['parts', i, 'logo'], 'false, or a top-level "logo" selector to take the image from', true);
  });
});
export type Job = z.infer<typeof JobSchema>;
export type JobInput = z.input<typeof JobSchema>;

/** The output size of a job: its own, else the configured one. */
export function jobOutput(job: Job, defaults: { width: number; height: number; fps: number }): { width: number; height: number; fps: number } {
  const [w, h] = job.output.resolution ? job.output.resolution.split('x').map(Number) : [defaults.width, defaults.height];
  return { width: w!, height: h!, fps: job.output.fps ?? defaults.fps };
}

function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ClipmillError('JOB_INVALID', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err, details: { file, field: null } });
  }
}

/** Parses an instruction-set job file's text (a leading BOM is allowed); JOB_INVALID for bad JSON or content. */
export function parseJob(text: string, file: string): Job {
  const f = parseJobFile(text, file);
  if (f.template !== 'instructions') throw new ClipmillError('JOB_INVALID', `${file}: template: "instructions" (or absent) here, got ${JSON.stringify(f.template)}`, { details: { file, field: 'template' } });
  return f.job;
}

/**
 * A vertical short of a voice we made (docs/shorts.md): `"template": "short"`. The voice is a
 * narration part (its first take, latest version) whose word timings we have; scenes follow its
 * words. Audio dropped into raw/short/ makes shorts without a job file.
 */
/**
 * The voice of a short job: a narration part (`{"id"}` or `{"category", "campaign", "part"}`,
 * as NarrationSelectorSchema) or a story's voice (`{"category", "story", "voice"}`: the voice's
 * name without `.mp3`, such as "chapter_0001", its latest version).
 */
export const ShortAudioSchema = object({
  id: nonEmpty('a narration id').optional(),
  category: nonEmpty('a category name').optional(),
  campaign: nonEmpty('a campaign name').optional(),
  part: intBetween(1, 9999).optional(),
  story: nonEmpty('a story name').optional(),
  voice: nonEmpty('a voice name such as "chapter_0001"').optional(),
}).superRefine((s, ctx) => {
  const forms = '{"category", "campaign", "part"}, {"id"} or {"category", "story", "voice"}';
  if (s.story !== undefined || s.voice !== undefined) {
    for (const k of ['id', 'campaign', 'part'] as const) if (s[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `absent with "story" and "voice" (the audio is ${forms})`, input: s[k] });
    for (const k of ['category', 'story', 'voice'] as const) if (s[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `a non-empty string (a story voice is {"category", "story", "voice"})`, input: undefined });
    return;
  }
  if (s.id !== undefined) {
    if (s.category !== undefined || s.campaign !== undefined || s.part !== undefined) ctx.addIssue({ code: 'custom', path: ['id'], message: 'an id alone (no category, campaign or part with it)', input: s.id });
    return;
  }
  for (const k of ['category', 'campaign', 'part'] as const) if (s[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: k === 'part' ? 'an integer from 1 to 9999 (with category and campaign)' : `a non-empty string (the audio is ${forms})`, input: undefined });
});
export type ShortAudio = z.infer<typeof ShortAudioSchema>;

export const ShortJobSchema = object({
  /** The voice the short is made of: a narration part or a story's voice. */
  audio: ShortAudioSchema,
  /** Where music and, on equal matches, visuals come from; absent: the narration's category. */
  category: nonEmpty('a category name').optional(),
  /** The music under the voice; absent: the category's music if it has any, else none. */
  music: SelectorSchema.optional(),
  /** Seconds the short should last (30 to 60): it ends at the last sentence that fits. Absent: the whole voice. */
  target_seconds: between(30, 60).optional(),
  /** The captions: "line", "word" or "karaoke"; absent: shorts.captionStyle. */
  style: z.enum(CAPTION_STYLES, { error: '"line", "word" or "karaoke"' }).optional(),
  priority: z.number({ error: 'an integer' }).int({ error: 'an integer' }).min(-1000, { error: 'an integer from -1000 to 1000' }).max(1000, { error: 'an integer from -1000 to 1000' }).default(0),
  quality: z.enum(QUALITIES, { error: '"draft", "normal" or "high"' }).default('normal'),
  /** Absent keys: shorts.resolution and render.fps of the configuration. */
  output: JobOutputSchema.default({}),
});
export type ShortJob = z.infer<typeof ShortJobSchema>;

// ---- Templates: one job file schema per template, discriminated by "template" ----
// A job file's "template" names its recipe (absent: "instructions", the schema above). Each
// template adds its key here, its schema to TEMPLATE_SCHEMAS and its planner to JobPlanning
// (src/main-worker/job-planning.ts); raw/job/ files and the API's POST /jobs go through
// validateJobFile, so they accept the same files and give the same errors.

/** The parsed job of each template. */
export interface JobByTemplate {
  instructions: Job;
  short: ShortJob;
  'golden-frame': GoldenFrameJob;
}
export type JobTemplate = keyof JobByTemplate;
/** A validated job file: its template and its job (without the "template" key). */
export type JobFile = { [K in JobTemplate]: { template: K; job: JobByTemplate[K] } }[JobTemplate];

const TEMPLATE_SCHEMAS: { [K in JobTemplate]: z.ZodType<JobByTemplate[K]> } = {
  instructions: JobSchema,
  short: ShortJobSchema,
  'golden-frame': GoldenFrameJobSchema,
};
export const JOB_TEMPLATES = Object.keys(TEMPLATE_SCHEMAS) as JobTemplate[];

/** Validates a parsed job file of any template; JOB_INVALID naming `file`, the field and the bad value. */
export function validateJobFile(value: unknown, file: string): JobFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ClipmillError('JOB_INVALID', `${file}: (top level): an object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`, { details: { file, field: null } });
  }
  const { template = 'instructions', ...rest } = value as Record<string, unknown>;
  if (typeof template !== 'string' || !Object.hasOwn(TEMPLATE_SCHEMAS, template)) {
    const known = JOB_TEMPLATES.map((t) => JSON.stringify(t)).join(', ');
    throw new ClipmillError('JOB_INVALID', `${file}: template: one of ${known}, got ${JSON.stringify(template)}`, { details: { file, field: 'template' } });
  }
  const t = template as JobTemplate;
  const r = TEMPLATE_SCHEMAS[t].safeParse(rest, { reportInput: true });
  if (r.success) return { template: t, job: r.data } as JobFile;
  const first = r.error.issues[0];
  throw new ClipmillError('JOB_INVALID', `${file}: ${describeIssues(r.error.issues)}`, { details: { file, field: first ? fieldPath(first.code === 'unrecognized_keys' ? [...first.path, first.keys[0]!] : first.path) : null } });
}

/** Parses a job file's text of any template (a leading BOM is allowed); JOB_INVALID for bad JSON or content. */
export function parseJobFile(text: string, file: string): JobFile {
  return validateJobFile(parseJsonText(text, file), file);
}

/** What a job file asks for, for logs and `clipmill jobs`: its variation count (per source for instruction sets) and a phrase. */
export function describeJobFile(f: JobFile): { variations: number; summary: string } {
  switch (f.template) {
    case 'instructions':
      return { variations: f.job.variations, summary: `${f.job.variations} variation(s) of each source, ${f.job.parts?.length || 'no'} part(s)` };
    case 'short': {
      const a = f.job.audio;
      return { variations: 1, summary: a.story !== undefined ? `a vertical short of voice ${a.category}/${a.story}/${a.voice}` : `a vertical short of narration ${a.id ?? `${a.category}/${a.campaign}/part ${a.part}`}` };
    }
    case 'golden-frame':
      return { variations: f.job.variations, summary: `${f.job.variations} golden-frame video(s) of ${f.job.duration} s, ${f.job.images.length} image selector(s)${f.job.audio ? ', cut on the beats' : ''}` };
  }
}
