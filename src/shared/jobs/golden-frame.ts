// The golden-frame job file (`"template": "golden-frame"`, docs/golden-frame.md): a product
// showcase, the product photos one after the other inside a luxury frame, glitter drifting over
// a near-black background, a hook line on top, the shots cut on the beats of the music. The
// fields of the reference API, asset fields as selectors (DESIGN §1). raw/job/ files and the
// API's POST /jobs validate it through validateJobFile (src/shared/job.ts).
//
// Sizes are pixels of the output; absent ones follow the output's size, which gives the
// reference values at 1080x1920 (content 900x1600, border 12, hook 64 px).
import { z } from 'zod';
import { between, bool, intBetween, list, MAX_VARIATIONS, nonEmpty, object, resolutionField, SelectorSchema } from '../job-fields.js';
import { ColorSchema, QUALITIES } from '../timeline/schema.js';

const pixels = () => between(1, 8192);

/** Shots a video at most: duration / shot_seconds.min may not exceed it. */
export const MAX_SHOTS = 300;

export const GOLDEN_FRAME_DEFAULTS = {
  resolution: '1080x1920',
  fps: 30,
  duration: 15,
  background: '#050505',
  atmosphere_opacity: 0.7,
  border_color: '#D4AF37',
  zoom: 1.05,
  shot_seconds: { min: 1.5, max: 4 },
} as const;

export const GoldenFrameJobSchema = object({
  /** The product photos (scanned/image/): each shot shows one, in a drawn order, repeated when the video needs more shots than there are photos. */
  images: list(SelectorSchema, 'a non-empty list of selectors'),
  /** The music (scanned/music/): the cuts fall on its onsets. Absent: a silent video cut at fixed lengths. */
  audio: SelectorSchema.optional(),
  /** The hook drawn at the top (any script, emoji too). Absent: no hook. */
  text: z.string({ error: 'a non-empty string' }).max(500, { error: 'at most 500 characters' }).refine((t) => t.trim().length > 0, { error: 'a non-empty string' }).optional(),
  /** A frame PNG (scanned/image/, with a transparent middle). Absent, or none found: a procedural border in border.color. */
  frame: SelectorSchema.optional(),
  /** An overlay video (scanned/frame/: glitter, rain) looped over the background, under the products. Absent: none. */
  atmosphere: SelectorSchema.optional(),
  quality: z.enum(QUALITIES, { error: '"draft", "normal" or "high"' }).default('normal'),
  /** Seconds of the video. */
  duration: between(1, 600).default(GOLDEN_FRAME_DEFAULTS.duration),
  /** Claim order of its tasks: higher first. */
  priority: z.number({ error: 'an integer' }).int({ error: 'an integer' }).min(-1000, { error: 'an integer from -1000 to 1000' }).max(1000, { error: 'an integer from -1000 to 1000' }).default(0),
  /** Videos made from the job, each with its own draw (order of the photos, music, atmosphere). */
  variations: intBetween(1, MAX_VARIATIONS).default(1),
  /** The shortest and longest shot, seconds: a cut falls on an onset between them. */
  shot_seconds: object({ min: between(0.2, 60), max: between(0.2, 60) })
    .superRefine((c, ctx) => {
      if (c.max < c.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `a number >= min (${c.min})`, input: c.max });
    })
    .default({ ...GOLDEN_FRAME_DEFAULTS.shot_seconds }),
  output: object({
    resolution: resolutionField().default(GOLDEN_FRAME_DEFAULTS.resolution),
    fps: between(1, 120).default(GOLDEN_FRAME_DEFAULTS.fps),
  }).default({ resolution: GOLDEN_FRAME_DEFAULTS.resolution, fps: GOLDEN_FRAME_DEFAULTS.fps }),
  /** The look; every key has the reference value as its default. */
  style: object({
    background: ColorSchema.default(GOLDEN_FRAME_DEFAULTS.background),
    /** The box each photo is fitted into, centred (default: 5/6 of the output's width and height: 900x1600 at 1080x1920). */
    content: object({ width: pixels(), height: pixels() }).optional(),
    /** Ken Burns: each shot zooms from 1 to this. 1: no motion. */
    zoom: between(1, 2).default(GOLDEN_FRAME_DEFAULTS.zoom),
    atmosphere_opacity: between(0, 1).default(GOLDEN_FRAME_DEFAULTS.atmosphere_opacity),
    /** The procedural border around the content (when there is no frame PNG); width default: the output width / 90 (12 px at 1080). */
    border: object({ color: ColorSchema.default(GOLDEN_FRAME_DEFAULTS.border_color), width: pixels().optional() }).default({ color: GOLDEN_FRAME_DEFAULTS.border_color }),
    hook: object({
      font: nonEmpty('a font family name').default('Noto Sans'),
      /** Pixels (default: the output width / 16.875: 64 px at 1080). */
      size: between(4, 1000).optional(),
      color: ColorSchema.default('#ffffff'),
      bold: bool().default(true),
      stroke_color: ColorSchema.default('#000000'),
    }).default({ font: 'Noto Sans', color: '#ffffff', bold: true, stroke_color: '#000000' }),
  }).default({ background: GOLDEN_FRAME_DEFAULTS.background, zoom: GOLDEN_FRAME_DEFAULTS.zoom, atmosphere_opacity: GOLDEN_FRAME_DEFAULTS.atmosphere_opacity, border: { color: GOLDEN_FRAME_DEFAULTS.border_color }, hook: { font: 'Noto Sans', color: '#ffffff', bold: true, stroke_color: '#000000' } }),
}).superRefine((j, ctx) => {
  const [w, h] = j.output.resolution.split('x').map(Number) as [number, number];
  const c = j.style.content;
  if (c && c.width > w) ctx.addIssue({ code: 'custom', path: ['style', 'content', 'width'], message: `at most the output width (${w})`, input: c.width });
  if (c && c.height > h) ctx.addIssue({ code: 'custom', path: ['style', 'content', 'height'], message: `at most the output height (${h})`, input: c.height });
  // Each shot is a chain of the render's graph (its Ken Burns canvas, its part of the concat): bounded.
  if (j.duration / j.shot_seconds.min > MAX_SHOTS + 1e-9) ctx.addIssue({ code: 'custom', path: ['shot_seconds', 'min'], message: `at least duration / ${MAX_SHOTS} (${Math.ceil((j.duration / MAX_SHOTS) * 1000) / 1000} s for ${j.duration} s): at most ${MAX_SHOTS} shots a video`, input: j.shot_seconds.min });
  if (j.shot_seconds.min > j.duration) ctx.addIssue({ code: 'custom', path: ['shot_seconds', 'min'], message: `at most duration (${j.duration})`, input: j.shot_seconds.min });
});
export type GoldenFrameJob = z.infer<typeof GoldenFrameJobSchema>;
export type GoldenFrameJobInput = z.input<typeof GoldenFrameJobSchema>;
