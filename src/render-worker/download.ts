// The download stage (spec §7): a claimed task's inputs are copied from the shared root to
// local scratch, links resolved, so that the render reads local disk only. The local clip
// list names the copies clips/0001.mp4, ... : nothing from an operator's folder names reaches it.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layout } from '../shared/layout.js';
import { copyRegularFile, resolveAllowed } from '../shared/safe-files.js';
import { buildFfconcat, type TaskMetadata } from '../shared/task.js';
import type { RenderInputs } from './plan-render.js';

/** Copies one file; injectable so that benchmarks can throttle it like a slow network share. */
export type CopyFn = (src: string, dst: string, signal?: AbortSignal) => Promise<void>;
export const plainCopy: CopyFn = copyRegularFile;

/** Where a task's inputs really are: each one resolved and checked (DESIGN §1 Paths). */
export interface ResolvedInputs {
  /** Root-relative clip path -> real path. */
  clips: Map<string, string>;
  voice: string;
  music: string | null;
  logo: string | null;
  frame: string | null;
}

/**
 * Resolves every path metadata.json names: the task's own files inside its folder (links to
 * scanned/ followed), clips inside scanned/. Throws TASK_INVALID (stage claim) for one that is
 * missing, outside those places, or not a regular file.
 */
export async function resolveInputs(layout: Layout, taskDir: string, meta: TaskMetadata): Promise<ResolvedInputs> {
  const allowed = [layout.scanned, taskDir];
  const own = (name: string | null | undefined, field: string) => (name ? resolveAllowed(join(taskDir, name), allowed, `${field} ${name}`) : Promise.resolve(null));
  const clips = new Map<string, string>();
  for (const [i, c] of meta.video_files.entries()) {
    if (!clips.has(c.path)) clips.set(c.path, await resolveAllowed(layout.abs(c.path), [layout.scanned], `video_files[${i}].path ${c.path}`));
  }
  return {
    clips,
    voice: (await own(meta.voice_file, 'voice_file'))!,
    music: await own(meta.music_file, 'music_file'),
    logo: await own(meta.render.logo, 'render.logo'),
    frame: await own(meta.frame_file, 'frame_file'),
  };
}

export interface Downloaded {
  inputs: RenderInputs;
  bytes: number;
}

export async function downloadInputs(meta: TaskMetadata, src: ResolvedInputs, scratch: string, copy: CopyFn = plainCopy, signal?: AbortSignal): Promise<Downloaded> {
  await mkdir(join(scratch, 'clips'), { recursive: true });
  let bytes = 0;
  const fetch = async (from: string, name: string) => {
    signal?.throwIfAborted();
    const dst = join(scratch, name);
    await copy(from, dst, signal);
    bytes += (await stat(dst)).size;
    return dst;
  };
  const local = new Map<string, string>();
  const names: string[] = [];
  for (const clip of meta.video_files) {
    let name = local.get(clip.path);
    if (!name) {
      name = `clips/${String(local.size + 1).padStart(4, '0')}.mp4`;
      await fetch(src.clips.get(clip.path)!, name);
      local.set(clip.path, name);
    }
    names.push(name);
  }
  const list = join(scratch, 'video_list.txt');
  await writeFile(list, buildFfconcat(names));
  return {
    inputs: {
      videoList: list,
      voice: await fetch(src.voice, 'voice.mp3'),
      music: src.music ? await fetch(src.music, 'music.mp3') : null,
      logo: src.logo ? await fetch(src.logo, 'logo.png') : null,
      frame: src.frame ? await fetch(src.frame, 'frame.mp4') : null,
      output: join(scratch, 'final.mp4'),
    },
    bytes,
  };
}
