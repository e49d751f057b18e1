// The download stage (spec §7): a claimed task's inputs are copied from the shared root to
// local scratch, links resolved, so that the render reads local disk only. The local clip
// list names the copies clips/0001.mp4, ... : nothing from an operator's folder names reaches it.
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layout } from '../shared/layout.js';
import { buildFfconcat, type TaskMetadata } from '../shared/task.js';
import type { RenderInputs } from './plan-render.js';

/** Copies one file; injectable so that benchmarks can throttle it like a slow network share. */
export type CopyFn = (src: string, dst: string) => Promise<void>;
export const plainCopy: CopyFn = (src, dst) => copyFile(src, dst);

export interface Downloaded {
  inputs: RenderInputs;
  bytes: number;
}

export async function downloadInputs(layout: Layout, taskDir: string, meta: TaskMetadata, scratch: string, copy: CopyFn = plainCopy): Promise<Downloaded> {
  await mkdir(join(scratch, 'clips'), { recursive: true });
  let bytes = 0;
  const fetch = async (src: string, name: string) => {
    const dst = join(scratch, name);
    await copy(src, dst);
    bytes += (await stat(dst)).size;
    return dst;
  };
  const local = new Map<string, string>();
  const names: string[] = [];
  for (const clip of meta.video_files) {
    let name = local.get(clip.path);
    if (!name) {
      name = `clips/${String(local.size + 1).padStart(4, '0')}.mp4`;
      await fetch(layout.abs(clip.path), name);
      local.set(clip.path, name);
    }
    names.push(name);
  }
  const list = join(scratch, 'video_list.txt');
  await writeFile(list, buildFfconcat(names));
  return {
    inputs: {
      videoList: list,
      voice: await fetch(join(taskDir, meta.voice_file), 'voice.mp3'),
      music: meta.music_file ? await fetch(join(taskDir, meta.music_file), 'music.mp3') : null,
      logo: meta.render.logo ? await fetch(join(taskDir, meta.render.logo), 'logo.png') : null,
      frame: meta.frame_file ? await fetch(join(taskDir, meta.frame_file), 'frame.mp4') : null,
      output: join(scratch, 'final.mp4'),
    },
    bytes,
  };
}
