// shorts/<task id>.json: where one vertical short stands (docs/shorts.md). Written by the main
// worker's shorts pipeline (atomically, through this schema) each time the short changes stage;
// read by `clipmill status` and the dashboard. A short that has become a task is completed or
// failed when its task is: shortProgress reads that from the task folders, so that no process
// has to watch output/ for it.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { exists } from './fs.js';
import { readJsonOrNull } from './json.js';
import { UUID_RE, type Layout } from './layout.js';

export const SHORT_STAGES = ['uploaded', 'transcribing', 'planning', 'generating', 'compiling', 'completed', 'failed'] as const;
export type ShortStage = (typeof SHORT_STAGES)[number];

const isoTime = z.string().min(1);

export const ShortStateSchema = z.strictObject({
  schema_version: z.literal(1),
  /** `short/<category>/<name>` (audio dropped in raw/short/) or `job/<name>` (a job file with "template": "short"). */
  key: z.string().min(1),
  /** The voice, relative to the root. */
  audio: z.string().min(1),
  /** The task the short becomes (derived from the key: known from the start). */
  task_id: z.string().regex(UUID_RE),
  stage: z.enum(SHORT_STAGES),
  /** Why the short waits in its stage (no transcript and no transcription provider; nothing to show); absent when it moves on. */
  waiting: z.string().min(1).optional(),
  /** A failed short: the stage it failed in, the error code and the reason. */
  failed: z.strictObject({ stage: z.enum(SHORT_STAGES), code: z.string().min(1), message: z.string() }).optional(),
  /** Warnings of the stages (a provider that failed and was replaced by the local way). */
  warnings: z.array(z.string()).optional(),
  updated_at: isoTime,
  /** Every stage the short entered, with when. */
  history: z.array(z.strictObject({ stage: z.enum(SHORT_STAGES), at: isoTime })),
});
export type ShortState = z.infer<typeof ShortStateSchema>;

/** The state files of shorts/, each read (one that does not read is left out), sorted by key. */
export async function readShortStates(layout: Layout): Promise<ShortState[]> {
  const names = await readdir(layout.shorts).catch(() => [] as string[]);
  const out: ShortState[] = [];
  for (const n of names.sort()) {
    if (n.startsWith('.') || !n.endsWith('.json')) continue;
    const s = await readJsonOrNull(ShortStateSchema, join(layout.shorts, n));
    if (s) out.push(s);
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The stage a short is at now: a short at "compiling" (its task published) is completed once
 * output/<task>/final.mp4 exists and failed once its task is in trash/failed/ (the render's
 * error.json gives the reason); otherwise what its file says.
 */
export async function shortProgress(layout: Layout, s: ShortState): Promise<ShortState> {
  if (s.stage !== 'compiling') return s;
  if (await exists(join(layout.outputTask(s.task_id), 'final.mp4'))) return { ...s, stage: 'completed' };
  if (await exists(layout.failedTask(s.task_id))) {
    const err = await readJsonOrNull(z.looseObject({ code: z.string().optional(), message: z.string().optional() }), join(layout.failedTask(s.task_id), 'error.json'));
    return { ...s, stage: 'failed', failed: { stage: 'compiling', code: err?.code ?? '?', message: err?.message ?? `its task is in trash/failed/${s.task_id}` } };
  }
  return s;
}
