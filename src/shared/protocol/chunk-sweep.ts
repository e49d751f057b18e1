// The main worker's health check over chunks/ (docs/chunks.md), and what a join that fails its
// checks does with the artifacts that made it.
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipmillError, errorMessage } from '../errors.js';
import { exists } from '../fs.js';
import type { Layout } from '../layout.js';
import type { Logger } from '../log.js';
import type { JoinField } from '../task.js';
import { deadChunk, failJoin, retireChunkDir, retiredChunkDir } from './chunk-failures.js';
import { artifactTaskId, chunkedIds, chunkFileName, missingArtifacts, planArtifacts, publishJoinIfReady } from './chunks.js';
import { readMetadata } from './task-files.js';

/**
 * Artifacts of a join that failed its checks are moved aside to trash/chunks/<id>/rejected-<time>/
 * (nothing deleted), so that the next split renders their chunks again from chunks/<id>/done/.
 * `names` are artifact file names (<k>.mp4, audio.m4a); every artifact when absent. Returns the names moved.
 */
export async function rejectArtifacts(layout: Layout, id: string, plan: JoinField, names?: string[]): Promise<string[]> {
  const dir = join(retiredChunkDir(layout, id), `rejected-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const moved: string[] = [];
  for (const c of planArtifacts(id, plan)) {
    const name = chunkFileName(c);
    if (names && !names.includes(name)) continue;
    await mkdir(dir, { recursive: true });
    try {
      await rename(join(layout.chunkDir(id), name), join(dir, name));
      moved.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return moved;
}

export interface ChunkSweep {
  /** Joins published to tasks/ (every artifact there). */
  joins: string[];
  /** Tasks failed into trash/failed/ because a chunk failed for good or was cancelled. */
  failed: string[];
  /** chunks/<id>/ of tasks in output/ moved to trash/chunks/. */
  retired: string[];
}

// Errors already logged, so that one corrupt folder is said once, not every tick.
const reported = new Map<string, string>();

/**
 * The main worker's health check over chunks/ (docs/chunks.md), each task on its own (an error
 * is logged with its id, once, and the others go on): a join whose artifacts are all there is
 * published (a worker killed between its two renames); a task one of whose chunks failed for
 * good or was cancelled fails with it; the folder of a task published to output/ is retired.
 */
export async function sweepChunks(layout: Layout, log: Logger): Promise<ChunkSweep> {
  const out: ChunkSweep = { joins: [], failed: [], retired: [] };
  for (const id of await chunkedIds(layout)) {
    try {
      if (await exists(layout.chunkJoin(id))) {
        const meta = await readMetadata(layout.chunkJoin(id));
        if (!meta.join) throw new ClipmillError('TASK_INVALID', `chunks/${id}/join/metadata.json has no "join" (the chunk plan)`);
        if (await publishJoinIfReady(layout, id)) {
          out.joins.push(id);
          continue;
        }
        for (const c of await missingArtifacts(layout, id, meta.join)) {
          const cid = artifactTaskId(c);
          const dead = await deadChunk(layout, cid);
          if (dead && (await failJoin(layout, id, cid, dead.reason))) {
            out.failed.push(id);
            log.error({ task: id, code: 'CHUNK_FAILED' }, `Task ${id} failed: its chunk task ${cid} failed for good (${dead.reason}) → trash/failed/${id}/`);
            break;
          }
        }
      } else if (await retireChunkDir(layout, id)) out.retired.push(id);
      reported.delete(id);
    } catch (err) {
      if (reported.get(id) === errorMessage(err)) continue;
      reported.set(id, errorMessage(err));
      log.error({ err, task: id }, `chunks/${id}/: ${errorMessage(err)} (said once; the other chunked tasks are checked as usual)`);
    }
  }
  return out;
}
