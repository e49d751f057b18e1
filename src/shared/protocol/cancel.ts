// Cancelling a task that no worker has claimed: tasks/<id> -> trash/cancelled/<id>, one rename
// (DESIGN invariant 2), nothing deleted (invariant 1). A claim and a cancel race on the same
// folder: whichever renames first wins, and the other sees the folder gone. A task already in
// processing/ renders to the end (its worker holds the lease); one in output/ is finished.
// The ledger keeps its record, so the planner never publishes the same variation again.
//
// Cancelling a job: scanned/job/<name>.json -> trash/cancelled/jobs/<name>.json first (the
// planner lists scanned/job/ on every pass, so it plans the job no more; ingest and POST /jobs
// refuse the name, as they refuse any name taken), then every task of the job still waiting in
// tasks/ is cancelled as above. Idempotent: a job already cancelled has its waiting tasks
// (published by a planning pass that was running meanwhile) cancelled again.
import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ClipmillError } from '../errors.js';
import { exists, fsyncPath, moveFile } from '../fs.js';
import { readJsonOrNull } from '../json.js';
import { UUID_RE, type Layout } from '../layout.js';
import { TASK_FILES } from '../task.js';
import { findTask } from './publish.js';

export type CancelResult = { cancelled: string } | { refused: string };

/** Moves tasks/<id> to trash/cancelled/<id> (or <id>.<n> when that name is taken); says why not when it cannot. */
export async function cancelTask(layout: Layout, taskId: string): Promise<CancelResult> {
  const id = taskId.toLowerCase();
  if (!UUID_RE.test(id)) throw new ClipmillError('USAGE', `not a task id: ${JSON.stringify(taskId)}`);
  await mkdir(layout.trashCancelled, { recursive: true });
  let name = id;
  for (let n = 2; await exists(join(layout.trashCancelled, name)); n++) name = `${id}.${n}`;
  try {
    await rename(layout.task(id), join(layout.trashCancelled, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const where = await findTask(layout, id);
    return { refused: where ? `task ${id} has started or ended (it is in ${layout.rel(where)}/): only a waiting task can be cancelled` : `no task ${id}` };
  }
  await fsyncPath(layout.trashCancelled);
  return { cancelled: `trash/cancelled/${name}` };
}

/** trash/cancelled/jobs/: the job files of cancelled jobs (their names stay taken). */
export function cancelledJobsDir(layout: Layout): string {
  return join(layout.trashCancelled, 'jobs');
}

/** Which job a task belongs to, from its metadata.json (any version): a job's variation, or a short of a job file (key job/<name>). */
const TaskJobSchema = z.union([
  z.looseObject({ job: z.looseObject({ name: z.string() }) }).transform((m) => m.job.name),
  z.looseObject({ short: z.looseObject({ key: z.string().regex(/^job\//) }) }).transform((m) => m.short.key.slice(4)),
]);

/** The job a task folder belongs to, or null. */
export async function taskJobName(dir: string): Promise<string | null> {
  return readJsonOrNull(TaskJobSchema, join(dir, TASK_FILES.metadata)).catch(() => null);
}

export interface CancelJobResult {
  /** Where the job file went (null when it was cancelled before). */
  jobFile: string | null;
  cancelled: string[];
  refused: string[];
}

/**
 * Cancels job `name`: its job file out of scanned/job/ (so nothing more is planned), then its
 * tasks still waiting in tasks/ (started ones render to the end). NOT_FOUND-like USAGE when
 * there is no such job, filed or cancelled.
 */
export async function cancelJob(layout: Layout, name: string): Promise<CancelJobResult> {
  const file = `${name}.json`;
  const from = join(layout.scannedJobs, file);
  const to = join(cancelledJobsDir(layout), file);
  let jobFile: string | null = null;
  if (await exists(from)) {
    await moveFile(from, to);
    jobFile = layout.rel(to);
  } else if (!(await exists(to))) {
    throw new ClipmillError('USAGE', `no job ${JSON.stringify(name)} in ${layout.rel(layout.scannedJobs)}/`);
  }
  const cancelled: string[] = [];
  const refused: string[] = [];
  const ids = (await readdir(layout.tasks).catch(() => [] as string[])).filter((n) => UUID_RE.test(n)).sort();
  for (const id of ids) {
    if ((await taskJobName(layout.task(id))) !== name) continue;
    const r = await cancelTask(layout, id);
    if ('cancelled' in r) cancelled.push(id);
    else refused.push(r.refused);
  }
  return { jobFile, cancelled, refused };
}

/** Whether job `name` was cancelled (its name stays taken). */
export function jobCancelled(layout: Layout, name: string): Promise<boolean> {
  return exists(join(cancelledJobsDir(layout), `${name}.json`));
}
