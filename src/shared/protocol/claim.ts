// Claiming (DESIGN invariant 4): rename(tasks/<id>, processing/<id>) is the whole protocol.
// Exactly one of several workers racing for a task wins the rename; the others get ENOENT
// (or ENOTEMPTY/EEXIST) and move on to the next task. The winner writes claim.json at once.
import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UUID_RE, type Layout } from '../layout.js';
import type { Claim } from './files.js';
import { claimable, TaskIndex } from './queue.js';
import { writeClaim } from './task-files.js';

/** Task ids in a folder of the tree (tasks/, processing/, output/): UUID names only. */
export async function taskIds(folder: string): Promise<string[]> {
  return (await readdir(folder).catch(() => [] as string[])).filter((n) => UUID_RE.test(n));
}

/** Published task ids, oldest folder first (by mtime; the claim order is queue.ts's). */
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

/**
 * Tries to claim one task: the next in claim order (priority, then age; see queue.ts) that
 * this node may take now, none of `skip`; returns its id, or null when there is none. `index`
 * is the worker's long-lived index; without one, tasks/ is listed for this claim alone.
 * `ahead`: the claim is made while this node still renders (render.prefetch). When the next
 * task in claim order is a chunk task or a join, nothing is claimed (null): it is left to a
 * node free now, or to this one once its render ends, so that the chunks of a long task
 * spread over the nodes and never wait behind one node's render, and no task of lower
 * priority or newer is taken before them (docs/chunks.md).
 */
export async function claimNext(layout: Layout, node: string, skip?: ReadonlySet<string>, index?: TaskIndex, ahead = false): Promise<string | null> {
  const idx = index ?? (await new TaskIndex(layout, { rescanMs: Number.POSITIVE_INFINITY, watch: false }).open());
  await idx.refresh();
  let listed = !index;
  for (;;) {
    let e = idx.next(node, skip);
    if (!e && !listed) {
      // Nothing to offer: list tasks/ before saying so (a task published on another host).
      listed = true;
      await idx.refresh(true);
      e = idx.next(node, skip);
    }
    if (!e || (ahead && e.freeNodeOnly)) return null;
    // The entry may be stale (changed or gone without this host seeing it): read it again.
    const fresh = await idx.reload(e.id);
    if (!fresh || !claimable(fresh, node, idx.now()) || fresh.priority !== e.priority) continue;
    if (ahead && fresh.freeNodeOnly) return null;
    const id = e.id;
    try {
      await rename(layout.task(id), layout.processingTask(id));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') {
        idx.remove(id); // another worker won
        continue;
      }
      throw err;
    }
    idx.remove(id);
    const claim: Claim = { task_id: id, node, pid: process.pid, claimed_at: new Date().toISOString() };
    try {
      await writeClaim(layout.processingTask(id), claim);
    } catch (err) {
      // Without a claim file nobody could tell whose task this is: give it back at once.
      await rename(layout.processingTask(id), layout.task(id)).catch(() => {});
      throw err;
    }
    if (!index) idx.close();
    return id;
  }
}
