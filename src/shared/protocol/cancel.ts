// Cancelling a task that no worker has claimed: tasks/<id> -> trash/cancelled/<id>, one rename
// (DESIGN invariant 2), nothing deleted (invariant 1). A claim and a cancel race on the same
// folder: whichever renames first wins, and the other sees the folder gone. A task already in
// processing/ renders to the end (its worker holds the lease); one in output/ is finished.
// The ledger keeps its record, so the planner never publishes the same variation again.
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipmillError } from '../errors.js';
import { exists, fsyncPath } from '../fs.js';
import { UUID_RE, type Layout } from '../layout.js';
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
