// Claiming (DESIGN invariant 4): rename(tasks/<id>, processing/<id>) is the whole protocol.
// Exactly one of several workers racing for a task wins the rename; the others get ENOENT
// (or ENOTEMPTY/EEXIST) and move on to the next task.
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../shared/fs.js';
import { UUID_RE, type Layout } from '../shared/layout.js';
import { TASK_FILES } from '../shared/task.js';
import { leaseTarget } from './lease.js';

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

/**
 * processing/<id> back to tasks/<id>, without what only its claim had: claim.json and any
 * final.mp4 (attempts are the caller's to set). Every hand-back and recovery ends here.
 */
export async function returnToTasks(layout: Layout, id: string): Promise<void> {
  const dir = layout.processingTask(id);
  await rm(join(dir, TASK_FILES.claim), { force: true });
  await rm(join(dir, 'final.mp4'), { force: true });
  await rename(dir, layout.task(id));
}

/**
 * Claims of this node whose process is gone (a worker killed with SIGKILL, a power cut): the
 * tasks go back to tasks/, their attempt counted. Claims of other nodes are left alone: their
 * processes cannot be seen from here: the main worker recovers those once their lease is stale.
 */
export async function handBackDeadClaims(layout: Layout, node: string, alive: (pid: number) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const id of (await readdir(layout.processing).catch(() => [] as string[])).filter((n) => UUID_RE.test(n))) {
    const dir = layout.processingTask(id);
    let claim: Claim | null = null;
    try {
      claim = JSON.parse(await readFile(join(dir, TASK_FILES.claim), 'utf8')) as Claim;
    } catch {
      continue; // no readable claim: being claimed right now, or not ours to judge
    }
    if (claim.node !== node || claim.pid === process.pid || alive(claim.pid)) continue;
    // Its lease cannot be refreshed any more: remove it now rather than wait for it to go stale.
    await rm(`${leaseTarget(layout, id)}.lock`, { recursive: true, force: true });
    try {
      await returnToTasks(layout, id);
      out.push(id);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return out;
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
    try {
      await writeJsonAtomic(join(layout.processingTask(id), TASK_FILES.claim), claim);
    } catch (err) {
      // Without a claim file nobody could tell whose task this is: give it back at once.
      await rename(layout.processingTask(id), layout.task(id)).catch(() => {});
      throw err;
    }
    return id;
  }
  return null;
}
