// Claiming (DESIGN invariant 4): rename(tasks/<id>, processing/<id>) is the whole protocol.
// Exactly one of several workers racing for a task wins the rename; the others get ENOENT
// (or ENOTEMPTY/EEXIST) and move on to the next task. The winner writes claim.json at once.
import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UUID_RE, type Layout } from '../layout.js';
import type { Claim } from './files.js';
import { writeClaim } from './task-files.js';

/** Task ids in a folder of the tree (tasks/, processing/, output/): UUID names only. */
export async function taskIds(folder: string): Promise<string[]> {
  return (await readdir(folder).catch(() => [] as string[])).filter((n) => UUID_RE.test(n));
}

/** Published task ids, oldest first. */
export async function listTasks(layout: Layout): Promise<string[]> {
  const withTime = await Promise.all(
    (await taskIds(layout.tasks)).map(async (n) => {
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

/** Tries to claim one task (oldest first, none of `skip`); returns its id or null when there is none left to take. */
export async function claimNext(layout: Layout, node: string, skip?: ReadonlySet<string>): Promise<string | null> {
  for (const id of await listTasks(layout)) {
    if (skip?.has(id)) continue;
    try {
      await rename(layout.task(id), layout.processingTask(id));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') continue; // another worker won
      throw err;
    }
    const claim: Claim = { task_id: id, node, pid: process.pid, claimed_at: new Date().toISOString() };
    try {
      await writeClaim(layout.processingTask(id), claim);
    } catch (err) {
      // Without a claim file nobody could tell whose task this is: give it back at once.
      await rename(layout.processingTask(id), layout.task(id)).catch(() => {});
      throw err;
    }
    return id;
  }
  return null;
}
