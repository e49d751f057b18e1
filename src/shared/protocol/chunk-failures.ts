// The ways a chunked task leaves the usual path (docs/chunks.md): a chunk task that will not
// finish by itself (failed for good, cancelled) fails the task waiting for it, and is sent back
// when that task is retried; a task published to output/ retires its chunks/<id>/ folder to
// trash/chunks/<id>/. Nothing is deleted (DESIGN §1).
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipmillError } from '../errors.js';
import { exists, firstFreePath } from '../fs.js';
import { readJsonOrNull } from '../json.js';
import type { Layout } from '../layout.js';
import { failTask } from './fail.js';
import { ErrorFileSchema } from './files.js';
import { latestFailures, retryFailed } from './retry.js';
import { readMetadata, writeMetadata } from './task-files.js';

/** Where a chunk task lies that will not finish by itself (trash/failed/ or trash/cancelled/, its latest), and why; null when it is live, done or nowhere. */
export async function deadChunk(layout: Layout, cid: string): Promise<{ where: string; reason: string } | null> {
  for (const p of [layout.task(cid), layout.processingTask(cid)]) if (await exists(p)) return null;
  // <id>.2, ... are only taken while <id> is there (fail.ts firstFreePath): one stat before listing trash/failed/.
  const [failed] = (await exists(layout.failedTask(cid))) ? await latestFailures(layout, [cid]).catch(() => [] as string[]) : [];
  if (failed) {
    const err = await readJsonOrNull(ErrorFileSchema, join(layout.trashFailed, failed, 'error.json')).catch(() => null);
    return { where: join(layout.trashFailed, failed), reason: err ? `${err.code}: ${err.message}` : 'failed (no readable error.json)' };
  }
  const cancelled = join(layout.trashCancelled, cid);
  if (await exists(cancelled)) return { where: cancelled, reason: 'cancelled' };
  return null;
}

export async function reviveDeadChunk(layout: Layout, cid: string, where: string): Promise<void> {
  if (where.startsWith(layout.trashFailed)) {
    await retryFailed(layout, where.slice(layout.trashFailed.length + 1));
    return;
  }
  await writeMetadata(where, { ...(await readMetadata(where)), attempts: 0 });
  await rename(where, layout.task(cid));
}

/**
 * A chunk task failed for good or was cancelled: the task waiting in chunks/<of>/join/ fails
 * with it (CHUNK_FAILED, naming the chunk and its reason) into trash/failed/<of>/; a retry of
 * the task splits it again, which sends the chunk back. Where it went, or null when it was not
 * waiting (already failed, or never parked).
 */
export async function failJoin(layout: Layout, of: string, chunkId: string, reason: string): Promise<string | null> {
  const waiting = layout.chunkJoin(of);
  const meta = await readMetadata(waiting).catch(() => null);
  if (!meta) return null;
  const error = new ClipmillError('CHUNK_FAILED', `chunk task ${chunkId} failed for good (${reason}); see trash/failed/${chunkId}/ or trash/cancelled/, fix it, then clipmill retry ${of}`, { details: { stage: 'render', chunk: chunkId } });
  try {
    return await failTask(layout, of, waiting, { error, attempts: meta.attempts, node: null, encoder: null });
  } catch (err) {
    // Failed meanwhile by another party.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** trash/chunks/<id>/: a published chunked task's artifacts and chunk task folders (docs/chunks.md), kept, not deleted. */
export function retiredChunkDir(layout: Layout, id: string): string {
  return join(layout.root, 'trash', 'chunks', id);
}

/** chunks/<id>/ of a task published to output/ moves to trash/chunks/<id>/ (or <id>.2, ...); whether it moved now. */
export async function retireChunkDir(layout: Layout, id: string): Promise<boolean> {
  if (!(await exists(layout.outputTask(id))) || (await exists(layout.chunkJoin(id)))) return false;
  await mkdir(join(layout.root, 'trash', 'chunks'), { recursive: true });
  try {
    await rename(layout.chunkDir(id), await firstFreePath(retiredChunkDir(layout, id)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  return true;
}
