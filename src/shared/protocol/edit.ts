// Edits and re-renders (the queue issue): revision N of a finished task is a new task whose
// timeline is the edited timeline of the task it was made from, its id derived from the
// original's id and N, its metadata naming `revision_of` (the original) and `revision` (N).
// It is published to tasks/ like any task and rendered like any task; published outputs are
// never modified. revisions/<original id>.json (written atomically, under a lock so that two
// edits at once get two numbers) lists the revisions: who made each (the OS user for the CLI,
// the token's name for the API), when, from which revision, what changed, and which one is
// current. An undo makes the previous revision current without rendering anything.
import { copyFile, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { ClipmillError } from '../errors.js';
import { exists, fsyncPath } from '../fs.js';
import { stableUuid } from '../ids.js';
import { readJson, writeJson } from '../json.js';
import type { Layout } from '../layout.js';
import { TASK_FILES, metadataVersionFor, type TaskMetadata } from '../task.js';
import { editTimeline, type TimelineEdit } from '../timeline/edit.js';
import { timelineOf } from '../timeline/from-metadata.js';
import { findTask, publishTask } from './publish.js';
import { readMetadata, writeMetadata } from './task-files.js';

const isoTime = z.string().min(1);

export const RevisionSchema = z.strictObject({
  /** 0 is the original task. */
  revision: z.number().int().min(0),
  task_id: z.string().min(1),
  /** The revision it was made from (absent for the original). */
  from: z.number().int().min(0).optional(),
  /** Who made it: the OS user (CLI) or the API token's name; null for the original (the planner). */
  by: z.string().nullable(),
  at: isoTime,
  /** One line per change ("music volume 0.25 → 0.5"); [] for the original. */
  changes: z.array(z.string()),
});
export type Revision = z.infer<typeof RevisionSchema>;

export const RevisionsFileSchema = z.strictObject({
  schema_version: z.literal(1),
  /** The original task. */
  task_id: z.string().min(1),
  /** The revision that is current (its output is the one to use). */
  current: z.number().int().min(0),
  revisions: z.array(RevisionSchema).min(1),
  /** Every change of `current`, oldest first: an edit (a new revision) or an undo. */
  history: z.array(z.strictObject({ action: z.enum(['edit', 'undo']), current: z.number().int().min(0), by: z.string(), at: isoTime })),
});
export type RevisionsFile = z.infer<typeof RevisionsFileSchema>;

/** The task id of revision `n` of `original`. */
export function revisionId(original: string, n: number): string {
  return stableUuid('clipmill-revision', original.toLowerCase(), String(n));
}

/** Files of a finished task folder that are its render's results, not its inputs: not carried into a revision. */
const OUTPUT_FILES = new Set(['final.mp4', 'report.json', 'poster.jpg', 'captions.srt', 'captions.vtt', 'error.json', 'stderr.log', TASK_FILES.claim, TASK_FILES.metadata]);

async function withRevisionsLock<T>(layout: Layout, original: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(layout.revisions, { recursive: true });
  // The lock folder is a dot-name beside the file (revisions/.<id>.lock): readers never list it.
  const release = await lockfile.lock(layout.revisionsFile(original), { realpath: false, lockfilePath: join(layout.revisions, `.${original}.lock`), stale: 30_000, retries: { retries: 20, minTimeout: 50, maxTimeout: 500 } });
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

async function readRevisions(layout: Layout, original: string): Promise<RevisionsFile | null> {
  if (!(await exists(layout.revisionsFile(original)))) return null;
  return readJson(RevisionsFileSchema, layout.revisionsFile(original), 'TASK_INVALID', `revisions/${original}.json`);
}

export interface EditRequest {
  /** A finished task: the original or one of its revisions (the edit starts from its timeline). */
  taskId: string;
  edit: TimelineEdit;
  by: string;
  now?: Date;
}

export interface EditResult {
  original: string;
  revision: number;
  taskId: string;
  changes: string[];
}

/** Writes revision N of a finished task as a new task in tasks/ and records it; USAGE for a task that is not finished or an edit that does not apply. */
export async function editTask(layout: Layout, req: EditRequest): Promise<EditResult> {
  const id = req.taskId.toLowerCase();
  const base = layout.outputTask(id);
  if (!(await exists(join(base, TASK_FILES.metadata)))) {
    const where = await findTask(layout, id);
    if (where && where !== base) throw new ClipmillError('USAGE', `task ${id} is not finished (it is in ${layout.rel(where)}/): only a task in output/ can be edited`);
    throw new ClipmillError('USAGE', `no finished task ${id} in output/`);
  }
  const meta = await readMetadata(base);
  const original = meta.revision_of ?? id;
  const from = meta.revision ?? 0;
  const change = req.edit.voice ? { ...req.edit, voice: { ...req.edit.voice, previous: meta.voice_source ?? undefined } } : req.edit;
  // A job task's timeline names its scanned files directly (no copies in the task folder).
  const files = meta.job ? { voice: null, music: meta.music_source, logo: meta.job.logo } : { voice: meta.voice_file, music: meta.music_file, logo: meta.render.logo };
  const edited = editTimeline(timelineOf(meta), files, change);
  const now = req.now ?? new Date();
  return withRevisionsLock(layout, original, async () => {
    const file = (await readRevisions(layout, original)) ?? {
      schema_version: 1 as const,
      task_id: original,
      current: 0,
      revisions: [{ revision: 0, task_id: original, by: null, at: (await readMetadata(layout.outputTask(original)).catch(() => meta)).created_at, changes: [] }],
      history: [],
    };
    let n = Math.max(...file.revisions.map((r) => r.revision)) + 1;
    // A revision published by an edit that died before recording it keeps its number and is
    // recorded now (by whom is lost with that process), so that revisions/ lists every one.
    const late: Revision[] = [];
    for (let dir = await findTask(layout, revisionId(original, n)); dir; dir = await findTask(layout, revisionId(original, ++n))) {
      const m = await readMetadata(dir).catch(() => null);
      late.push({ revision: n, task_id: revisionId(original, n), by: null, at: m?.created_at ?? now.toISOString(), changes: ['recorded late: published by an edit that stopped before recording it'] });
    }
    const taskId = revisionId(original, n);
    const { not_before: _n, last_failure: _l, avoid_nodes: _a, timeline: _t, ...rest } = meta;
    const next: TaskMetadata = {
      ...rest,
      schema_version: metadataVersionFor({ ...rest, timeline: edited.timeline }),
      task_id: taskId,
      created_at: now.toISOString(),
      attempts: 0,
      timeline: edited.timeline,
      revision_of: original,
      revision: n,
      ...(req.edit.voice ? { voice_source: req.edit.voice.path, voice_duration: edited.timeline.output.duration } : {}),
    };
    const published = await publishTask(layout, taskId, async (dir) => {
      for (const name of await readdir(base)) {
        if (OUTPUT_FILES.has(name) || name.startsWith('.')) continue;
        const src = join(base, name);
        const st = await lstat(src);
        // Links keep pointing where they did: relative, at the same depth in every folder.
        if (st.isSymbolicLink()) await symlink(await readlink(src), join(dir, name));
        else if (st.isFile()) await copyFile(src, join(dir, name));
      }
      if (req.edit.voice && meta.voice_file !== null) {
        await rm(join(dir, meta.voice_file), { force: true });
        await symlink(posix.join('../..', req.edit.voice.path), join(dir, meta.voice_file));
      }
      await fsyncPath(dir);
      await writeMetadata(dir, next);
    });
    if (!published) throw new ClipmillError('USAGE', `task ${taskId} (revision ${n} of ${original}) appeared meanwhile; run the edit again`);
    const at = now.toISOString();
    const updated: RevisionsFile = {
      ...file,
      current: n,
      revisions: [...file.revisions, ...late, { revision: n, task_id: taskId, from, by: req.by, at, changes: edited.changes }],
      history: [...file.history, { action: 'edit', current: n, by: req.by, at }],
    };
    await writeJson(RevisionsFileSchema, layout.revisionsFile(original), updated);
    return { original, revision: n, taskId, changes: edited.changes };
  });
}

/** Makes the revision before the current one current (nothing is rendered); returns it. */
export async function undoRevision(layout: Layout, taskId: string, by: string, now = new Date()): Promise<{ original: string; current: Revision; undone: Revision }> {
  const id = taskId.toLowerCase();
  // Any revision's id names its original, wherever that revision is now (queued, rendered).
  const where = await findTask(layout, id);
  const meta = where ? await readMetadata(where).catch(() => null) : null;
  const original = meta?.revision_of ?? id;
  return withRevisionsLock(layout, original, async () => {
    const file = await readRevisions(layout, original);
    if (!file) throw new ClipmillError('USAGE', `task ${original} has no revisions (revisions/${original}.json): nothing to undo`);
    const sorted = [...file.revisions].sort((a, b) => a.revision - b.revision);
    const i = sorted.findIndex((r) => r.revision === file.current);
    if (i <= 0) throw new ClipmillError('USAGE', `revision ${file.current} of ${original} is the first: nothing to undo`);
    const at = now.toISOString();
    const current = sorted[i - 1]!;
    await writeJson(RevisionsFileSchema, layout.revisionsFile(original), { ...file, current: current.revision, history: [...file.history, { action: 'undo', current: current.revision, by, at }] });
    return { original, current, undone: sorted[i]! };
  });
}
