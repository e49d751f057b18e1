// The life cycle of a chunked task (docs/chunks.md), in the protocol like every move of a task
// folder:
//
//   tasks/<id> --claim--> processing/<id> --park--> chunks/<id>/join/    (+ chunk tasks published)
//   tasks/<chunk> --claim--> processing/<chunk> --publishChunk--> chunks/<id>/<k>.mp4 (or audio.m4a)
//                                                                  + chunks/<id>/done/<chunk>/
//   chunks/<id>/join/ --publishJoinIfReady--> tasks/<id> (every artifact there) --claim--> ... output/<id>/
//
// Every step is one rename (or a file built under a dot-name and renamed), so that a worker
// killed at any instant leaves either the state before or the state after, and every step
// can be done again: a chunk task already published, in progress, failed or done is not
// published twice; an artifact already in chunks/<id>/ is kept; the join is published by
// whoever sees it ready first (the worker that published the last artifact, the worker that
// parked the task, or the main worker's health check).
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipmillError, errorMessage } from '../errors.js';
import { exists, firstFreePath, fsyncPath } from '../fs.js';
import { readJsonOrNull } from '../json.js';
import { UUID_RE, type Layout } from '../layout.js';
import type { Logger } from '../log.js';
import { METADATA_SCHEMA_LATEST, TASK_FILES, type ChunkField, type JoinField, type TaskMetadata } from '../task.js';
import { chunkTaskId, type ChunkPlan } from '../timeline/chunks.js';
import { assertOwnClaim } from './complete.js';
import { ErrorFileSchema } from './files.js';
import { failTask } from './fail.js';
import type { Lease } from './lease.js';
import { publishTask, findTask } from './publish.js';
import { latestFailures, retryFailed } from './retry.js';
import { readMetadata, writeMetadata } from './task-files.js';

/** The audio artifact's name in chunks/<id>/. */
export const CHUNK_AUDIO = 'audio.m4a';

/** The file name of an artifact in chunks/<id>/: `<k>.mp4` for video chunk k, audio.m4a for the audio. */
export function chunkFileName(c: Pick<ChunkField, 'kind' | 'range'>): string {
  return c.kind === 'audio' ? CHUNK_AUDIO : `${c.range!.index}.mp4`;
}

/** The chunk fields of every artifact of a plan: the video chunks in order, then the audio. */
export function planArtifacts(id: string, plan: JoinField): ChunkField[] {
  const argv = plan.encoder_argv ? { encoder_argv: plan.encoder_argv } : {};
  const out: ChunkField[] = plan.chunks.map((range) => ({ of: id, kind: 'video', range, ...argv }));
  if (plan.audio) out.push({ of: id, kind: 'audio' });
  return out;
}

/** The task id of an artifact. */
export function artifactTaskId(c: ChunkField): string {
  return chunkTaskId(c.of, c.kind === 'audio' ? 'audio' : c.range!.index);
}

/** The artifacts of the plan not yet in chunks/<id>/. */
export async function missingArtifacts(layout: Layout, id: string, plan: JoinField): Promise<ChunkField[]> {
  const out: ChunkField[] = [];
  for (const c of planArtifacts(id, plan)) if (!(await exists(join(layout.chunkDir(id), chunkFileName(c))))) out.push(c);
  return out;
}

/** The plan as metadata.json's `join` records it, with the chunks' encoder arguments (compile-chunk.ts chunkEncoderArgv) when given. */
export function joinField(plan: ChunkPlan, encoderArgv?: string[]): JoinField {
  return { fps: plan.fps, frames: plan.frames, chunks: plan.chunks, audio: plan.audio, ...(encoderArgv ? { encoder_argv: encoderArgv } : {}) };
}

/** Files of a task folder that a chunk task does not take (the protocol's own, and what a render left). */
const NOT_COPIED = new Set<string>([TASK_FILES.metadata, TASK_FILES.claim, 'error.json', 'stderr.log', 'report.json', 'final.mp4', 'poster.jpg']);

/** A hard link where the filesystem allows one (no bytes copied), else a copy. */
async function linkOrCopy(src: string, dst: string): Promise<void> {
  try {
    await link(src, dst);
  } catch {
    await copyFile(src, dst);
  }
}

/**
 * Splits a claimed task: its metadata.json becomes schema_version 3 with the plan (`join`),
 * the chunk tasks not published before are published (each a copy of the task folder's input
 * files with its own metadata.json: `chunk`), and the folder moves to chunks/<id>/join/ to
 * wait. The attempt the claim counted is given back (splitting is no render). A chunk task
 * done whose artifact has gone from chunks/<id>/ goes back to tasks/ from its done folder.
 * Returns the ids of the chunk tasks published now. The caller releases the lease afterwards.
 */
export async function parkForChunks(layout: Layout, id: string, node: string, lease: Lease, meta: TaskMetadata, plan: JoinField): Promise<string[]> {
  await assertOwnClaim(layout, id, node, lease);
  const dir = layout.processingTask(id);
  const parked: TaskMetadata = { ...meta, schema_version: METADATA_SCHEMA_LATEST, attempts: Math.max(0, meta.attempts - 1), join: plan };
  delete parked.not_before;
  delete parked.last_failure;
  await writeMetadata(dir, parked);
  const files = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !NOT_COPIED.has(e.name) && !e.name.startsWith('.')).map((e) => e.name);
  const published: string[] = [];
  for (const c of await missingArtifacts(layout, id, plan)) {
    const cid = artifactTaskId(c);
    // Published before and live (waiting or being rendered): not again.
    if ((await exists(layout.task(cid))) || (await exists(layout.processingTask(cid)))) continue;
    // Published by another party meanwhile (a worker killed after its artifact's rename): nothing to do.
    if (await exists(join(layout.chunkDir(id), chunkFileName(c)))) continue;
    // Failed for good or cancelled (the task failed with it, CHUNK_FAILED, and is being retried): back to tasks/.
    const dead = await deadChunk(layout, cid);
    if (dead) {
      await reviveDeadChunk(layout, cid, dead.where);
      published.push(cid);
      continue;
    }
    if (await findTask(layout, cid)) continue;
    // Done, but its artifact is gone from chunks/<id>/ (removed by hand, or moved aside by a join that failed its checks): rendered again, from its own folder.
    const done = layout.chunkDone(id, cid);
    if (await exists(done)) {
      const again = await readMetadata(done);
      await rm(join(done, 'report.json'), { force: true });
      await writeMetadata(done, { ...again, attempts: 0 });
      await rename(done, layout.task(cid));
      published.push(cid);
      continue;
    }
    const chunkMeta: TaskMetadata = { ...parked, task_id: cid, attempts: 0, chunk: c };
    delete chunkMeta.join;
    delete chunkMeta.avoid_nodes;
    delete chunkMeta.preview;
    const made = await publishTask(layout, cid, async (tmp) => {
      for (const f of files) await linkOrCopy(join(dir, f), join(tmp, f));
      await writeMetadata(tmp, chunkMeta);
    });
    if (made) published.push(cid);
  }
  await mkdir(layout.chunkDir(id), { recursive: true });
  await assertOwnClaim(layout, id, node, lease);
  await rm(join(dir, TASK_FILES.claim), { force: true });
  await rename(dir, layout.chunkJoin(id));
  await fsyncPath(layout.chunkDir(id));
  return published;
}

/**
 * Publishes a rendered, verified artifact: `file` is copied to chunks/<of>/ under a dot-name
 * and renamed to <k>.mp4 (or audio.m4a) unless one is there already (a chunk rendered twice
 * after a lost claim: the first is kept), then the chunk task's folder moves to
 * chunks/<of>/done/<chunk id>/. Returns whether the join was published now.
 */
export async function publishChunk(layout: Layout, id: string, node: string, lease: Lease, chunk: ChunkField, file: string, copy: (src: string, dst: string) => Promise<void>): Promise<boolean> {
  await assertOwnClaim(layout, id, node, lease);
  const dirOf = layout.chunkDir(chunk.of);
  await mkdir(join(dirOf, 'done'), { recursive: true });
  const dest = join(dirOf, chunkFileName(chunk));
  if (!(await exists(dest))) {
    const tmp = join(dirOf, `.tmp-${chunkFileName(chunk)}-${randomBytes(4).toString('hex')}`);
    try {
      await copy(file, tmp);
      await fsyncPath(tmp);
      await assertOwnClaim(layout, id, node, lease);
      await rename(tmp, dest);
      await fsyncPath(dirOf);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return retireChunkTask(layout, id, chunk);
}

/**
 * A chunk task whose artifact is in chunks/<of>/ already (published by a worker killed before it
 * moved the folder, or by another worker after a lost claim): its folder moves to
 * chunks/<of>/done/<chunk id>/ without rendering. Returns whether the join was published now.
 */
export async function retireChunkTask(layout: Layout, id: string, chunk: ChunkField): Promise<boolean> {
  await mkdir(join(layout.chunkDir(chunk.of), 'done'), { recursive: true });
  await rm(join(layout.processingTask(id), TASK_FILES.claim), { force: true });
  await rename(layout.processingTask(id), await firstFreePath(layout.chunkDone(chunk.of, id)));
  return publishJoinIfReady(layout, chunk.of);
}

/** Whether the artifact of a chunk task is in chunks/<of>/. */
export function artifactExists(layout: Layout, chunk: ChunkField): Promise<boolean> {
  return exists(join(layout.chunkDir(chunk.of), chunkFileName(chunk)));
}

/** Where a chunk task lies that will not finish by itself (trash/failed/ or trash/cancelled/, its latest), and why; null when it is live, done or nowhere. */
export async function deadChunk(layout: Layout, cid: string): Promise<{ where: string; reason: string } | null> {
  for (const p of [layout.task(cid), layout.processingTask(cid)]) if (await exists(p)) return null;
  const [failed] = await latestFailures(layout, [cid]).catch(() => [] as string[]);
  if (failed) {
    const err = await readJsonOrNull(ErrorFileSchema, join(layout.trashFailed, failed, 'error.json')).catch(() => null);
    return { where: join(layout.trashFailed, failed), reason: err ? `${err.code}: ${err.message}` : 'failed (no readable error.json)' };
  }
  const cancelled = join(layout.trashCancelled, cid);
  if (await exists(cancelled)) return { where: cancelled, reason: 'cancelled' };
  return null;
}

async function reviveDeadChunk(layout: Layout, cid: string, where: string): Promise<void> {
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

/** chunks/<id>/join/ to tasks/<id> when every artifact of its plan is in chunks/<id>/; whether it moved now. */
export async function publishJoinIfReady(layout: Layout, id: string): Promise<boolean> {
  const waiting = layout.chunkJoin(id);
  const meta = await readMetadata(waiting).catch(() => null);
  if (!meta?.join) return false;
  if ((await missingArtifacts(layout, id, meta.join)).length) return false;
  try {
    await rename(waiting, layout.task(id));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Published meanwhile by another party (gone), or a folder of that id in tasks/ already.
    if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw err;
  }
  await fsyncPath(layout.tasks);
  return true;
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

/** The ids of the folders in chunks/. */
export async function chunkedIds(layout: Layout): Promise<string[]> {
  return (await readdir(layout.chunks).catch(() => [] as string[])).filter((n) => UUID_RE.test(n));
}

/** Where a chunked task stands, for `clipmill status` and the API. */
export interface ChunkedStatus {
  id: string;
  /** waiting: chunks rendering; joining: the join published or claimed; done: in output/; failed: the join in trash/failed/. */
  state: 'waiting' | 'joining' | 'done' | 'failed';
  /** Artifacts (video chunks and the audio) in chunks/<id>/, and how many the plan has. */
  done: number;
  total: number;
  /** The chunk task ids of the plan's artifacts not done, by artifact file name. */
  pending: Map<string, string>;
}

/** The status of one chunked task (from its metadata.json wherever it is now), or null when it has no plan. */
export async function chunkedStatus(layout: Layout, id: string): Promise<ChunkedStatus | null> {
  const places: [string, ChunkedStatus['state']][] = [
    [layout.chunkJoin(id), 'waiting'],
    [layout.task(id), 'joining'],
    [layout.processingTask(id), 'joining'],
    [layout.outputTask(id), 'done'],
    [layout.failedTask(id), 'failed'],
  ];
  for (const [dir, state] of places) {
    const meta = await readMetadata(dir).catch(() => null);
    if (!meta?.join) continue;
    const all = planArtifacts(id, meta.join);
    // Published: its artifacts retired to trash/chunks/ with it.
    const missing = state === 'done' ? [] : await missingArtifacts(layout, id, meta.join);
    const pending = new Map(missing.map((c) => [chunkFileName(c), artifactTaskId(c)]));
    return { id, state, done: all.length - missing.length, total: all.length, pending };
  }
  return null;
}

/** Bytes of the artifacts in chunks/<id>/ (for a report). */
export async function artifactBytes(layout: Layout, id: string, plan: JoinField): Promise<number> {
  let n = 0;
  for (const c of planArtifacts(id, plan)) n += (await stat(join(layout.chunkDir(id), chunkFileName(c))).catch(() => null))?.size ?? 0;
  return n;
}
