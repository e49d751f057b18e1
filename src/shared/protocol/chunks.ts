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
import { exists, firstFreePath, fsyncPath } from '../fs.js';
import { UUID_RE, type Layout } from '../layout.js';
import { METADATA_SCHEMA_LATEST, TASK_FILES, type ChunkField, type JoinField, type TaskMetadata } from '../task.js';
import { chunkTaskId, type ChunkPlan } from '../timeline/chunks.js';
import { assertOwnClaim } from './complete.js';
import type { Lease } from './lease.js';
import { publishTask, findTask } from './publish.js';
import { deadChunk, reviveDeadChunk } from './chunk-failures.js';
import { readMetadata, writeMetadata } from './task-files.js';

export { deadChunk, failJoin, retireChunkDir, retiredChunkDir } from './chunk-failures.js';

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
