// The files the task protocol writes into a task folder besides metadata.json: claim.json (who
// holds it), error.json (why it failed) and report.json (how it was rendered). One schema each;
// only src/shared/protocol/ writes claim.json and error.json.
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

const isoTime = z.string().min(1);
const errorCode = z.string().refine((c): c is ErrorCode => Object.hasOwn(ERROR_CODES, c), { message: 'a code of the error catalog (docs/errors.md)' });

export const ClaimSchema = z.strictObject({
  task_id: z.string().min(1),
  node: z.string().min(1),
  pid: z.number().int(),
  claimed_at: isoTime,
});
export type Claim = z.infer<typeof ClaimSchema>;

export const TASK_STAGES = ['claim', 'download', 'render', 'verify', 'upload', 'publish'] as const;
export type TaskStage = (typeof TASK_STAGES)[number];

export const ErrorFileSchema = z.strictObject({
  task_id: z.string().min(1),
  code: errorCode,
  /** The error's class (docs/errors.md): what the queue does about it. */
  class: z.enum(['recoverable', 'fatal', 'resource']),
  stage: z.enum(TASK_STAGES),
  message: z.string(),
  attempts: z.number().int().min(0).nullable(),
  /** The node that failed it, or had claimed it (a recovery), or null. */
  node: z.string().nullable(),
  /** The encoder actually used (libx264 after a hardware fallback); null when nothing rendered. */
  encoder: z.string().nullable(),
  failed_at: isoTime,
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorFile = z.infer<typeof ErrorFileSchema>;

const check = z.strictObject({ name: z.string(), ok: z.boolean(), expected: z.string(), actual: z.string() });

export const ReportSchema = z.strictObject({
  task_id: z.string().min(1),
  node: z.string(),
  finished_at: isoTime,
  attempts: z.number().int().min(0),
  encoder: z.string(),
  encoder_fallback: z.strictObject({ from: z.string(), reason: z.string() }).nullable(),
  ffmpeg: z.string(),
  voice_duration: z.number(),
  output_bytes: z.number().int().min(0),
  timings_s: z.strictObject({ download: z.number(), render: z.number(), verify: z.number(), upload: z.number(), total: z.number() }),
  realtime_factor: z.number(),
  checks: z.array(check),
  /** What the render reduced to fit: the last attempt after a memory failure renders a draft (shared/protocol/backoff.ts). Null or absent: nothing. */
  reduced: z.strictObject({ quality: z.strictObject({ from: z.enum(['draft', 'normal', 'high']), to: z.literal('draft') }), reason: z.string() }).nullable().optional(),
  /** Whether a draft preview was published to previews/<id>/ before this final (render.preview, or the task's "preview"). */
  preview: z.boolean().optional(),
  /** The planner's notes (metadata.json `notes`: a fallback it took, such as no usable beats or no frame PNG). Absent: none. */
  notes: z.array(z.strictObject({ code: z.string().min(1), message: z.string().min(1) })).optional(),
});
export type Report = z.infer<typeof ReportSchema>;
