// The timeline (DESIGN §3): the whole description of one video, in output seconds and output
// pixels. Planners write it into metadata.json; the compiler (compile.ts) turns it into one
// ffmpeg pass. docs/timeline.md documents every field with an example.
//
// Units: times in seconds of the output; positions, sizes, margins and widths in pixels of the
// output at `output.width` x `output.height` (a draft render scales them with the picture).
// Files: in a task, a path relative to the project root (scanned/...) or a file name inside
// the task folder; for `clipmill render`, a path relative to the timeline file.
import { z } from 'zod';
import { DuckSchema } from './duck.js';
import { ColorSchema } from './color.js';

const num = (what: string) => z.number({ error: what });
const atLeast = (min: number) => num(`a number >= ${min}`).min(min, { error: `a number >= ${min}` });
const above = (min: number) => num(`a number > ${min}`).gt(min, { error: `a number > ${min}` });
const between = (min: number, max: number) => num(`a number from ${min} to ${max}`).min(min, { error: `a number from ${min} to ${max}` }).max(max, { error: `a number from ${min} to ${max}` });
const evenPixels = z.number({ error: 'an even integer from 16 to 8192' }).int({ error: 'an even integer from 16 to 8192' }).min(16, { error: 'an even integer from 16 to 8192' }).max(8192, { error: 'an even integer from 16 to 8192' }).refine((n) => n % 2 === 0, { error: 'an even integer from 16 to 8192' });
const file = () => z.string({ error: 'a file path' }).min(1, { error: 'a file path' }).refine((v) => !/[\r\n\u0000]/.test(v), { error: 'a file path without line breaks' });
/** A strict object: unknown keys are errors, so a typo in a field name is reported, not ignored. */
const object = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'an object') });

export { COLOR_NAMES, ColorSchema } from './color.js'; // colours live in color.ts, with their ffmpeg form

export const QUALITIES = ['draft', 'normal', 'high'] as const;
export const OutputSchema = object({
  width: evenPixels,
  height: evenPixels,
  fps: between(1, 120),
  /** Seconds of video before effects.speed (the output lasts duration / speed). */
  duration: above(0),
  /** draft: 480 pixels on the short side and a fast preset; normal: the configured encoder settings; high: a slow preset. */
  quality: z.enum(QUALITIES, { error: '"draft", "normal" or "high"' }).default('normal'),
});

export const FITS = ['pad', 'crop', 'blur-fill'] as const;
/** The xfade transitions offered (FFmpeg's names); "cut" is no transition. */
export const TRANSITIONS = [
  'cut', 'fade', 'fadeblack', 'fadewhite', 'dissolve', 'wipeleft', 'wiperight', 'wipeup', 'wipedown',
  'slideleft', 'slideright', 'slideup', 'slidedown', 'smoothleft', 'smoothright', 'smoothup', 'smoothdown',
  'circleopen', 'circleclose', 'radial', 'pixelize', 'zoomin', 'distance', 'hblur',
] as const;
export type TransitionType = (typeof TRANSITIONS)[number];

export const TransitionSchema = object({
  type: z.enum(TRANSITIONS, { error: `one of ${TRANSITIONS.join(', ')}` }),
  /** Seconds; the segment's own duration holds (the transition overlaps the previous segment's end). */
  duration: above(0).default(0.5),
});

const segmentBase = {
  /** How a picture of another shape fills the output: letterbox, cover-crop, or over a blurred enlarged copy of itself. */
  fit: z.enum(FITS, { error: '"pad", "crop" or "blur-fill"' }).default('crop'),
  /** Mirror this segment left to right. */
  flip: z.boolean({ error: 'true or false' }).default(false),
  /** The transition into this segment (ignored on the first one); absent: a cut. */
  transition: TransitionSchema.optional(),
};

export const ClipSegmentSchema = object({
  type: z.literal('clip'),
  file: file(),
  /** Seconds of the file: the segment lasts out - in. */
  in: atLeast(0).default(0),
  out: above(0),
  ...segmentBase,
}).superRefine((s, ctx) => {
  // An issue of its own (not refine's): the error shows the bad out, not the whole segment.
  if (s.out <= s.in) ctx.addIssue({ code: 'custom', path: ['out'], message: `a number above in (${s.in})`, input: s.out });
});

/** Where the view of a still is: its zoom (1 = the whole picture fitted to the output) and the centre of the view, as fractions of the picture. */
export const ViewSchema = object({
  zoom: between(1, 10).default(1),
  x: between(0, 1).default(0.5),
  y: between(0, 1).default(0.5),
});
export type View = z.infer<typeof ViewSchema>;

export const StillSegmentSchema = object({
  type: z.literal('still'),
  file: file(),
  duration: above(0),
  /** Ken Burns: the view moves smoothly from `from` to `to` over the segment. */
  ken_burns: object({ from: ViewSchema, to: ViewSchema }).optional(),
  ...segmentBase,
});

export const ColorSegmentSchema = object({
  type: z.literal('color'),
  color: ColorSchema,
  duration: above(0),
  ...segmentBase,
});

export const SegmentSchema = z.discriminatedUnion('type', [ClipSegmentSchema, StillSegmentSchema, ColorSegmentSchema], { error: 'a segment with type "clip", "still" or "color"' });
export type ClipSegment = z.infer<typeof ClipSegmentSchema>;
export type StillSegment = z.infer<typeof StillSegmentSchema>;
export type ColorSegment = z.infer<typeof ColorSegmentSchema>;
export type Segment = z.infer<typeof SegmentSchema>;

/** A 3x3 grid of anchors. */
export const POSITIONS = ['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right'] as const;
export type Position = (typeof POSITIONS)[number];

const layerBase = {
  /** Output seconds; end absent: until the end of the video. */
  start: atLeast(0).default(0),
  end: above(0).optional(),
};
const placement = {
  position: z.enum(POSITIONS, { error: `one of ${POSITIONS.join(', ')}` }).default('top-left'),
  /** Pixels between the layer and the edges it is anchored to. */
  margin: atLeast(0).default(0),
  /** Pixels from the left / top edge; they replace position on their axis. */
  x: num('a number of pixels').optional(),
  y: num('a number of pixels').optional(),
};

export const ANIMATIONS = ['none', 'fade', 'zoom', 'slide'] as const;
export const ImageLayerSchema = object({
  type: z.literal('image'),
  file: file(),
  ...layerBase,
  ...placement,
  /** The image's width as a fraction of the output width (its height follows its aspect ratio). */
  scale: between(0.001, 4).default(0.15),
  opacity: between(0, 1).default(1),
  /** How the layer appears at its start. */
  animation: z.enum(ANIMATIONS, { error: '"none", "fade", "zoom" or "slide"' }).default('none'),
  animation_duration: above(0).default(0.5),
  /** Fit the whole image inside a box of this many pixels, centred in it, the rest of the box transparent, instead of `scale`; placed by position/margin/x/y. */
  box: object({ width: above(0), height: above(0) }).optional(),
  /** Ken Burns inside the box (needs `box`, no animation; checked with the timeline): the view moves from `from` to `to` over the layer's time; zoom 1 is the whole box. */
  ken_burns: object({ from: ViewSchema, to: ViewSchema }).optional(),
});

export const BLENDS = ['normal', 'screen'] as const;
export const VideoLayerSchema = object({
  type: z.literal('video'),
  file: file(),
  ...layerBase,
  /** Stretched to the output and looped for as long as the layer lasts. */
  opacity: between(0, 1).default(1),
  /** screen: black is transparent, light adds (light leaks, glitter, dust). */
  blend: z.enum(BLENDS, { error: '"normal" or "screen"' }).default('normal'),
});

export const TextLayerSchema = object({
  type: z.literal('text'),
  /** UTF-8; a newline breaks the line. Any script: right-to-left and complex scripts are shaped. */
  text: z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }).max(5000, { error: 'at most 5000 characters' }),
  ...layerBase,
  ...placement,
  /** A font family (fontconfig name or a file of a configured fonts folder). Glyphs it lacks come from an installed font that has them. */
  font: z.string({ error: 'a font family name' }).min(1, { error: 'a font family name' }).default('Noto Sans'),
  /** Font size in pixels. */
  size: between(4, 1000).default(64),
  color: ColorSchema.default('#ffffff'),
  bold: z.boolean({ error: 'true or false' }).default(false),
  /** An outline around the glyphs. */
  stroke: object({ color: ColorSchema.default('#000000'), width: between(0, 100).default(3) }).optional(),
  /** A box behind the text. */
  box: object({ color: ColorSchema.default('#000000b0'), padding: between(0, 500).default(16) }).optional(),
  /** Lines wrap at this width in pixels (default: the output width minus twice the margin). */
  wrap_width: above(0).optional(),
  /** Extra pixels between lines. */
  line_spacing: between(-500, 1000).default(0),
  /** Alignment of the lines within the block (default: from the position). */
  align: z.enum(['left', 'center', 'right'], { error: '"left", "center" or "right"' }).optional(),
});

export const BorderLayerSchema = object({
  type: z.literal('border'),
  ...layerBase,
  color: ColorSchema.default('#ffffff'),
  /** Pixels, drawn inside the picture on all four sides, or inside `rect` (pixels from the top-left corner: a frame around a content box). */
  width: above(0).default(12),
  rect: object({ x: atLeast(0), y: atLeast(0), width: above(0), height: above(0) }).optional(),
});

export const CAPTION_STYLES = ['word', 'line', 'karaoke'] as const;
export const CAPTION_POSITIONS = ['top', 'center', 'bottom'] as const;
/** Captions timed by a word timings file (a voice's `<voice>.words.json`), drawn by libass like text. */
export const CaptionsLayerSchema = object({
  type: z.literal('captions'),
  /** A words file (src/shared/words.ts): `{ "source", "words": [{ "word", "start", "end" }] }`, seconds of the voice. */
  words: file(),
  /** Output seconds at which the voice's second 0 plays (its audio track's start). */
  offset: atLeast(0).default(0),
  ...layerBase,
  /** word: one word at a time; line: pages of up to max_chars, broken at sentence ends first; karaoke: the page shown, the spoken word in `highlight`. */
  style: z.enum(CAPTION_STYLES, { error: '"word", "line" or "karaoke"' }).default('line'),
  /** The longest page of "line" and "karaoke", in characters (a longer word is a page of its own). */
  max_chars: z.number({ error: 'an integer from 1 to 500' }).int({ error: 'an integer from 1 to 500' }).min(1, { error: 'an integer from 1 to 500' }).max(500, { error: 'an integer from 1 to 500' }).default(32),
  /** Where the captions sit inside the 9:16 safe area (the output less 10% at the top, 20% at the bottom, 6% at each side). */
  position: z.enum(CAPTION_POSITIONS, { error: '"top", "center" or "bottom"' }).default('bottom'),
  font: z.string({ error: 'a font family name' }).min(1, { error: 'a font family name' }).default('Noto Sans'),
  size: between(4, 1000).default(64),
  color: ColorSchema.default('#ffffff'),
  /** The colour of the spoken word (karaoke). */
  highlight: ColorSchema.default('#ffd700'),
  bold: z.boolean({ error: 'true or false' }).default(true),
  stroke: object({ color: ColorSchema.default('#000000'), width: between(0, 100).default(4) }).optional(),
  box: object({ color: ColorSchema.default('#000000b0'), padding: between(0, 500).default(16) }).optional(),
});

export const LayerSchema = z.discriminatedUnion('type', [ImageLayerSchema, VideoLayerSchema, TextLayerSchema, BorderLayerSchema, CaptionsLayerSchema], { error: 'a layer with type "image", "video", "text", "border" or "captions"' });
export type CaptionsLayer = z.infer<typeof CaptionsLayerSchema>;
export type ImageLayer = z.infer<typeof ImageLayerSchema>;
export type VideoLayer = z.infer<typeof VideoLayerSchema>;
export type TextLayer = z.infer<typeof TextLayerSchema>;
export type BorderLayer = z.infer<typeof BorderLayerSchema>;
export type Layer = z.infer<typeof LayerSchema>;

export const AudioTrackSchema = object({
  file: file(),
  /** Where the track starts in the output. */
  start: atLeast(0).default(0),
  /** The part of the file used (out absent: to its end). */
  in: atLeast(0).default(0),
  out: above(0).optional(),
  /** Output seconds the track lasts (default: the part used, or until the end when looped). */
  duration: above(0).optional(),
  /** A linear gain: 1 keeps the level; the mix adds tracks without scaling them down. */
  volume: between(0, 10).default(1),
  /** Repeat the part used until the track's duration (or the end of the video). */
  loop: z.boolean({ error: 'true or false' }).default(false),
  fade_in: atLeast(0).default(0),
  fade_out: atLeast(0).default(0),
  /** Ducking: lowered by `db` decibels over output spans (duck.ts). */
  duck: DuckSchema.optional(),
}).superRefine((t, ctx) => {
  if (t.out !== undefined && t.out <= t.in) ctx.addIssue({ code: 'custom', path: ['out'], message: `a number above in (${t.in})`, input: t.out });
});
export type AudioTrack = z.infer<typeof AudioTrackSchema>;

export const EffectsSchema = object({
  contrast: between(-1000, 1000).default(1),
  brightness: between(-1, 1).default(0),
  saturation: between(0, 3).default(1),
  gamma: between(0.1, 10).default(1),
  /** Video and audio together; the output lasts output.duration / speed. */
  speed: between(0.25, 4).default(1),
  /** A pitch factor (1.05 = 5% higher) that keeps the duration. */
  pitch: between(0.5, 2).default(1),
  /** Mirror the whole video left to right. */
  flip: z.boolean({ error: 'true or false' }).default(false),
});
export type Effects = z.infer<typeof EffectsSchema>;

export const TimelineSchema = object({
  output: OutputSchema,
  video: z.array(SegmentSchema, { error: 'a non-empty list of segments' }).min(1, { error: 'a non-empty list of segments' }),
  layers: z.array(LayerSchema, { error: 'a list of layers' }).default([]),
  audio: z.array(AudioTrackSchema, { error: 'a list of audio tracks' }).default([]),
  effects: EffectsSchema.default(EffectsSchema.parse({})),
}).superRefine((t, ctx) => {
  // The segments must cover the output: the last one is cut where the output ends.
  const total = t.video.reduce((s, seg) => s + segmentDuration(seg), 0);
  if (total < t.output.duration - 0.5 / t.output.fps) {
    ctx.addIssue({ code: 'custom', path: ['video'], message: `segments lasting at least output.duration (${t.output.duration} s)`, input: `segments lasting ${Math.round(total * 1000) / 1000} s` });
  }
  t.video.forEach((seg, i) => {
    const tr = seg.transition;
    if (i === 0 || !tr || tr.type === 'cut') return;
    const limit = Math.min(segmentDuration(seg), segmentDuration(t.video[i - 1]!));
    // A segment whose own length is wrong is reported as such, not as a transition too long for it.
    if (limit <= 0) return;
    if (tr.duration >= limit) ctx.addIssue({ code: 'custom', path: ['video', i, 'transition', 'duration'], message: `a number below ${limit} (the shorter of this segment and the previous one)`, input: tr.duration });
  });
  t.layers.forEach((l, i) => {
    if (l.end !== undefined && l.end <= l.start) ctx.addIssue({ code: 'custom', path: ['layers', i, 'end'], message: `a number above start (${l.start})`, input: l.end });
    if (l.type === 'image' && l.ken_burns && (!l.box || l.animation !== 'none')) ctx.addIssue({ code: 'custom', path: ['layers', i, l.box ? 'animation' : 'ken_burns'], message: l.box ? '"none" (the layer has ken_burns)' : 'absent, or with a "box" to move in', input: l.box ? l.animation : l.ken_burns });
  });
});
export type Timeline = z.infer<typeof TimelineSchema>;
/** A timeline as written, before defaults are filled in. */
export type TimelineInput = z.input<typeof TimelineSchema>;

/** Seconds a segment lasts in the output. */
export function segmentDuration(seg: Segment): number {
  return seg.type === 'clip' ? seg.out - seg.in : seg.duration;
}

export { timelineFileFields, timelineFiles } from './files.js';
