// The download stage (spec §7): a claimed task's inputs — every file its timeline names — are
// copied from the shared root to local scratch, links resolved, so that the render reads local
// disk only; where scratch is on the root's own file system they are hard links instead (no
// byte copied). The files in in/ may therefore BE the root's files: they are only ever read
// (ffmpeg's inputs, probes), never opened for writing, truncated or replaced in place. They
// are named in/0001.mp4, in/0002.png, ...: nothing from an operator's folder names reaches
// ffmpeg's arguments or a concat list.
import { mkdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Layout } from '../shared/layout.js';
import { linkOrCopyRegularFile, resolveAllowed } from '../shared/safe-files.js';
import type { TaskMetadata } from '../shared/task.js';
import { timelineOf } from '../shared/timeline/from-metadata.js';
import { timelineFiles, type Timeline } from '../shared/timeline/schema.js';

/** Copies one file; injectable so that benchmarks can throttle it like a slow network share. */
export type CopyFn = (src: string, dst: string, signal?: AbortSignal) => Promise<void>;
/** A hard link when scratch is on the root's file system (no bytes copied: the chunk tasks of a long task each read the same footage), else a copy. */
export const plainCopy: CopyFn = linkOrCopyRegularFile;

/** What the render stage needs: the timeline, its files' local copies, where the output goes. */
export interface RenderInputs {
  timeline: Timeline;
  /** Timeline file -> local copy in scratch. */
  paths: Map<string, string>;
  output: string;
}

/** Where a task's inputs really are: each timeline file resolved and checked (DESIGN §1 Paths). */
export interface ResolvedInputs {
  timeline: Timeline;
  /** Timeline file -> real path. */
  files: Map<string, string>;
}

/**
 * Resolves every file the task's timeline names: a name without a folder is a file of the task
 * folder (links into scanned/ followed), a path with one is relative to the root and must be
 * inside scanned/. Throws TASK_INVALID (stage claim) for one that is missing, outside those
 * places, or not a regular file.
 */
export async function resolveInputs(layout: Layout, taskDir: string, meta: TaskMetadata): Promise<ResolvedInputs> {
  const timeline = timelineOf(meta);
  const files = new Map<string, string>();
  for (const f of timelineFiles(timeline)) {
    const own = !f.includes('/') && !f.includes('\\');
    const real = own ? await resolveAllowed(join(taskDir, f), [layout.scanned, taskDir], `timeline file ${f}`) : await resolveAllowed(layout.abs(f), [layout.scanned], `timeline file ${f}`);
    files.set(f, real);
  }
  return { timeline, files };
}

export interface Downloaded {
  inputs: RenderInputs;
  bytes: number;
}

/** A safe local name keeping the extension (ffmpeg picks demuxers by it for images). */
function localName(i: number, file: string): string {
  const ext = extname(file).toLowerCase();
  return `in/${String(i + 1).padStart(4, '0')}${/^\.[a-z0-9]{1,5}$/.test(ext) ? ext : ''}`;
}

export async function downloadInputs(src: ResolvedInputs, scratch: string, copy: CopyFn = plainCopy, signal?: AbortSignal): Promise<Downloaded> {
  await mkdir(join(scratch, 'in'), { recursive: true });
  let bytes = 0;
  const paths = new Map<string, string>();
  let i = 0;
  for (const [file, real] of src.files) {
    signal?.throwIfAborted();
    const dst = join(scratch, localName(i++, file));
    await copy(real, dst, signal);
    bytes += (await stat(dst)).size;
    paths.set(file, dst);
  }
  return { inputs: { timeline: src.timeline, paths, output: join(scratch, 'final.mp4') }, bytes };
}
