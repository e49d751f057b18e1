// Claiming (DESIGN invariant 4): rename(tasks/<id>, processing/<id>) is the whole protocol.
// Exactly one of several workers racing for a task wins the rename; the others get ENOENT
// (or ENOTEMPTY/EEXIST) and move on to the next task.
import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../shared/fs.js';
import { UUID_RE, type Layout } from '../shared/layout.js';
import { TASK_FILES } from '../shared/task.js';

/** Published task ids, oldest first. */
export async function listTasks(layout: Layout): Promise<string[]> {
  const names = (await readdir(layout.tasks).catch(() => [] as string[])).filter((n) => UUID_RE.test(n));
  const withTime = await Promise.all(
    names.map(async (n) => {
      try {
        return { n, t: (await stat(join(layout.tasks, n))).mtimeMs };
      } catch {
        return null;
      }
    }),
  );
  return withTime
    .filter((x): x is { n: string; t: number } => x !== null)
    .sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : 1))
    .map((x) => x.n);
}

export interface Claim {
  task_id: string;
  node: string;
  pid: number;
  claimed_at: string;
}

/** Tries to claim one task; returns its id or null when there is none left to take. */
export async function claimNext(layout: Layout, node: string): Promise<string | null> {
  for (const id of await listTasks(layout)) {
    try {
      await rename(layout.task(id), layout.processingTask(id));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') continue; // another worker won
      throw err;
    }
    const claim: Claim = { task_id: id, node, pid: process.pid, claimed_at: new Date().toISOString() };
    await writeJsonAtomic(join(layout.processingTask(id), TASK_FILES.claim), claim);
    return id;
  }
  return null;
}
