// The jobs of a root (scanned/job/) with their variations planned, queued, rendering, rendered
// and failed, the output paths, and why they wait (nodes/main-worker.json): read from the task
// folders' metadata.json `job` field (or the server's task list); nothing is changed. Job files
// refused at ingest (trash/invalid/job/) are listed with their reason. `clipmill jobs` and
// `clipmill status` print it (src/cli/commands/), GET /api/v1/jobs serves it (src/server/).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ReasonFileSchema } from '../ingest-files.js';
import { describeJobFile, parseJobFile } from '../job.js';
import { readJsonOrNull } from '../json.js';
import { isIgnoredName, Layout, UUID_RE } from '../layout.js';
import { MainWorkerStatusSchema } from '../node-files.js';
import { cancelledJobsDir } from '../protocol/cancel.js';
import { taskIds } from '../protocol/claim.js';
import { failedId, latestFailures } from '../protocol/retry.js';
import { readRegularFile } from '../safe-files.js';
import { TASK_FILES } from '../task.js';

/** What jobs reads of a metadata.json: lenient, so that any version's task is counted. */
const JobTaskSchema = z.union([
  z.looseObject({ task_id: z.string(), job: z.looseObject({ name: z.string(), source_path: z.string(), variation: z.number() }) }),
  // A short of a job file (docs/shorts.md): its key is job/<name>, its one variation 0.
  z.looseObject({ task_id: z.string(), short: z.looseObject({ key: z.string().regex(/^job\//), audio: z.string() }) }).transform((m) => ({ ...m, job: { name: m.short.key.slice(4), source_path: m.short.audio, variation: 0 } })),
]);

export type VariationState = 'queued' | 'rendering' | 'rendered' | 'failed' | 'cancelled';

export interface JobReport {
  name: string;
  /** null when the scanned job file no longer parses. */
  variations: number | null;
  planned: number;
  queued: number;
  rendering: number;
  rendered: number;
  failed: number;
  /** Tasks cancelled before they started (trash/cancelled/). */
  cancelled: number;
  /** The job itself was cancelled (its file in trash/cancelled/jobs/): nothing more is planned. */
  cancelled_job: boolean;
  tasks: { task: string; source: string; variation: number; state: VariationState; output: string | null }[];
  waiting: { for: string; reason: string; since: string }[];
}

export interface JobsReport {
  jobs: JobReport[];
  rejected: { file: string; message: string; at: string }[];
}

async function names(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => !isIgnoredName(n)).sort();
}

/** One task of a job, where it is now (the server has them in its task list: src/server/task-list.ts). */
export interface JobTaskRow {
  task: string;
  job: string;
  source: string;
  variation: number;
  state: VariationState;
}

/**
 * Every job with its tasks. `tasks`: the job tasks already known (the server's index), so that
 * no task folder is read; without it, each task folder's metadata.json is read.
 */
export async function jobsReport(layout: Layout, opts: { tasks?: readonly JobTaskRow[] } = {}): Promise<JobsReport> {
  const jobs = new Map<string, JobReport>();
  const get = (name: string) => {
    let j = jobs.get(name);
    if (!j) jobs.set(name, (j = { name, variations: null, planned: 0, queued: 0, rendering: 0, rendered: 0, failed: 0, cancelled: 0, cancelled_job: false, tasks: [], waiting: [] }));
    return j;
  };
  for (const [dir, cancelled] of [[layout.scannedJobs, false], [cancelledJobsDir(layout), true]] as const) {
    for (const n of (await names(dir)).filter((n) => /\.json$/i.test(n))) {
      const j = get(n.slice(0, -'.json'.length));
      j.cancelled_job = cancelled;
      try {
        j.variations = describeJobFile(parseJobFile(await readRegularFile(join(dir, n)), n)).variations;
      } catch {
        // listed without its variation count
      }
    }
  }
  // A task in several places (failed, then requeued) counts where it is now: the latest state wins.
  // No job file ever filed (scanned/ keeps them all): no job task to look for, and the task
  // folders (output/ only grows) are not read, so that `clipmill status` stays cheap on a
  // voice-over farm.
  const add = (r: JobTaskRow) => {
    const j = get(r.job);
    if (r.state !== 'cancelled') j.planned++;
    j[r.state]++;
    j.tasks.push({ task: r.task, source: r.source, variation: r.variation, state: r.state, output: r.state === 'rendered' ? `output/${r.task}/final.mp4` : null });
  };
  if (opts.tasks) opts.tasks.forEach(add);
  else if (jobs.size) (await readJobTasks(layout)).forEach(add);
  for (const j of jobs.values()) j.tasks.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.variation - b.variation));
  const main = await readJsonOrNull(MainWorkerStatusSchema, layout.mainWorkerStatus);
  for (const w of main?.waiting_jobs ?? []) {
    const m = /^(.*) \(source (.*)\)$/.exec(w.job);
    get(m ? m[1]! : w.job).waiting.push({ for: m ? m[2]! : 'the job', reason: w.reason, since: w.since });
  }
  const rejected: JobsReport['rejected'] = [];
  const trash = join(layout.trashInvalid, 'job');
  for (const n of (await names(trash)).filter((n) => n.endsWith('.reason.json'))) {
    const r = await readJsonOrNull(ReasonFileSchema, join(trash, n));
    if (r) rejected.push({ file: r.raw_path, message: `${r.code}: ${r.message}`, at: r.rejected_at });
  }
  return { jobs: [...jobs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), rejected };
}

/** Every job task from the task folders (each metadata.json read); a task in several places (failed, then requeued) counts where it is now. */
async function readJobTasks(layout: Layout): Promise<JobTaskRow[]> {
  const seen = new Set<string>();
  const rows: JobTaskRow[] = [];
  const places: [string, VariationState, string[]][] = [
    [layout.output, 'rendered', await taskIds(layout.output)],
    [layout.processing, 'rendering', await taskIds(layout.processing)],
    [layout.tasks, 'queued', await taskIds(layout.tasks)],
    [layout.trashFailed, 'failed', await latestFailures(layout)],
    [layout.trashCancelled, 'cancelled', (await names(layout.trashCancelled)).filter((n) => UUID_RE.test(failedId(n)))],
  ];
  for (const [dir, state, list] of places) {
    for (const folder of list.sort()) {
      const id = state === 'failed' || state === 'cancelled' ? failedId(folder) : folder;
      if (seen.has(id)) continue;
      const meta = await readJsonOrNull(JobTaskSchema, join(dir, folder, TASK_FILES.metadata));
      if (!meta) continue;
      seen.add(id);
      rows.push({ task: id, job: meta.job.name, source: meta.job.source_path, variation: meta.job.variation, state });
    }
  }
  return rows;
}
