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
 * The stage a short whose task exists is at now, read from the task's folders each time (a task
 * retried with `clipmill retry` is compiling again): output/<task>/final.mp4 → completed (for
 * good); tasks/<task>/ or processing/<task>/ → compiling; trash/failed/<task>[.<n>]/ → failed
 * (its latest error.json gives the reason); trash/cancelled/<task>/ → failed, "cancelled".
 * A short without a task (any stage before compiling, or failed before it) is what its file
 * says, and so is one whose task is in none of these folders.
 */
export async function shortProgress(layout: Layout, s: ShortState): Promise<ShortState> {
  const hasTask = s.stage === 'compiling' || s.stage === 'completed' || (s.stage === 'failed' && s.failed?.stage === 'compiling');
  if (!hasTask) return s;
  const { failed: _failed, waiting: _waiting, ...rest } = s;
  if (await exists(join(layout.outputTask(s.task_id), 'final.mp4'))) return { ...rest, stage: 'completed' };
  if ((await exists(layout.task(s.task_id))) || (await exists(layout.processingTask(s.task_id)))) return { ...rest, stage: 'compiling' };
  const failures = (await readdir(layout.trashFailed).catch(() => [] as string[]))
    .filter((n) => n.toLowerCase() === s.task_id || n.toLowerCase().startsWith(`${s.task_id}.`))
    .sort((a, b) => Number(a.split('.')[1] ?? 1) - Number(b.split('.')[1] ?? 1));
  const latest = failures.at(-1);
  if (latest) {
    const dir = join(layout.trashFailed, latest);
    const err = await readJsonOrNull(z.looseObject({ code: z.string().optional(), message: z.string().optional() }), join(dir, 'error.json'));
    return { ...rest, stage: 'failed', failed: { stage: 'compiling', code: err?.code ?? '?', message: err?.message ?? `its task is in trash/failed/${latest}` } };
  }
  if (await exists(join(layout.root, 'trash', 'cancelled', s.task_id))) return { ...rest, stage: 'failed', failed: { stage: 'compiling', code: 'CANCELLED', message: 'cancelled' } };
  return s;
}
