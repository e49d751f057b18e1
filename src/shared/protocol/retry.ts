// `clipmill retry`: a failed task goes from trash/failed/ back to tasks/ with its attempts reset,
// without what its failure left (error.json, stderr.log, claim.json, final.mp4, poster.jpg, report.json).
// A task that failed more than once has <id>, <id>.2, ...: its latest failure goes back.
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ClipmillError } from '../errors.js';
import { exists } from '../fs.js';
import { readJsonOrNull } from '../json.js';
import { UUID_RE, type Layout } from '../layout.js';
import { TASK_FILES } from '../task.js';
import { readMetadata, writeMetadata } from './task-files.js';

/** The task id of a name in trash/failed/ (`<id>` or `<id>.<n>`). */
export function failedId(name: string): string {
  return name.split('.')[0]!.toLowerCase();
}

/** Which failure of its task a name in trash/ is: `<id>` 1, `<id>.<n>` n (compare these, never the names: <id>.9 < <id>.10). */
export function failureNumber(name: string): number {
  return Number(name.split('.')[1] ?? 1);
}

/** Every failure in trash/failed/: `<id>` and `<id>.<n>` names. */
export async function failedNames(layout: Layout): Promise<string[]> {
  return (await readdir(layout.trashFailed).catch(() => [] as string[])).filter((n) => UUID_RE.test(failedId(n)));
}

/** Names in trash/failed/, latest failure of each id: `ids` given, those (USAGE for one not there); else all. */
export async function latestFailures(layout: Layout, ids?: string[]): Promise<string[]> {
  const latest = new Map<string, string>();
  for (const n of await failedNames(layout)) {
    const prev = latest.get(failedId(n));
    if (!prev || failureNumber(n) > failureNumber(prev)) latest.set(failedId(n), n);
  }
  if (!ids) return [...latest.values()];
  return ids.map((id) => {
    const name = latest.get(id.toLowerCase());
    if (!name) throw new ClipmillError('USAGE', `no task ${id} in trash/failed/`);
    return name;
  });
}

// The old error, for the operator's log line; any version of error.json.
const OldError = z.looseObject({ code: z.string().optional(), message: z.string().optional() });

/** trash/failed/<name> → tasks/<id>, attempts reset; returns the id and the error it had failed with. */
export async function retryFailed(layout: Layout, name: string): Promise<{ id: string; code: string; message: string }> {
  const id = failedId(name);
  const from = join(layout.trashFailed, name);
  for (const p of [layout.task(id), layout.processingTask(id), layout.outputTask(id)]) {
    if (await exists(p)) throw new ClipmillError('USAGE', `task ${id} is already in ${layout.rel(p)}`);
  }
  const error = await readJsonOrNull(OldError, join(from, 'error.json'));
  await writeMetadata(from, { ...(await readMetadata(from)), attempts: 0 });
  for (const f of ['error.json', 'stderr.log', TASK_FILES.claim, 'final.mp4', 'poster.jpg', 'report.json']) await rm(join(from, f), { force: true });
  await rename(from, layout.task(id));
  return { id, code: error?.code ?? '?', message: error?.message ?? '' };
}
