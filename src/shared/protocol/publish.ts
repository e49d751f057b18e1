// Publishing a task (DESIGN invariants 2 and 5): the folder is built under
// tasks/.tmp-<id>-<rand>/, fsynced, and renamed to tasks/<id>/ in one step, so that a render
// worker never sees a half-made task. What goes into it is the planner's business (`build`).
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { exists, fsyncPath } from '../fs.js';
import type { Layout } from '../layout.js';

const TEMP_PREFIX = '.tmp-';

/** Publishes the task; returns its folder, or null when a task with that id appeared meanwhile. */
export async function publishTask(layout: Layout, id: string, build: (dir: string) => Promise<void>): Promise<string | null> {
  const final = layout.task(id);
  const tmp = join(layout.tasks, `${TEMP_PREFIX}${id}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp, { recursive: true });
  try {
    await build(tmp);
    await fsyncPath(tmp);
    await rename(tmp, final);
    await fsyncPath(layout.tasks);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    // rename(2) refuses a non-empty target: the task was published meanwhile (handed back by a
    // render worker between the caller's checks). One task per id: nothing to do.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return null;
    throw err;
  }
  return final;
}

/** Removes task folders a crash left half-built (tasks/.tmp-*). Safe with one main worker per root. */
export async function cleanPublishTemps(layout: Layout): Promise<number> {
  let n = 0;
  for (const name of await readdir(layout.tasks).catch(() => [] as string[])) {
    if (name.startsWith(TEMP_PREFIX)) {
      await rm(join(layout.tasks, name), { recursive: true, force: true });
      n++;
    }
  }
  return n;
}

/**
 * Where a task with this id is now, if anywhere. A task moves while it is looked for (a claim
 * goes tasks/ -> processing/, a hand-back the other way), so the whole lookup is made twice
 * before answering that there is none.
 */
export async function findTask(layout: Layout, id: string): Promise<string | null> {
  for (let pass = 0; pass < 2; pass++) {
    for (const p of [layout.task(id), layout.processingTask(id), layout.outputTask(id), layout.failedTask(id)]) {
      if (await exists(p)) return p;
    }
  }
  return null;
}
