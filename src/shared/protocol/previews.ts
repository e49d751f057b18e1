// Publishing a task's draft preview (the queue issue): previews/<id>/preview.mp4 and its
// poster.jpg appear together, built under previews/.tmp-<id>-<rand>/ and renamed in one step
// (DESIGN invariant 2). A preview, once published, is kept: a task retried after a failure of
// its final render does not render its preview again.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyFileAtomic, exists, fsyncPath } from '../fs.js';
import type { Layout } from '../layout.js';

export const PREVIEW_FILES = { video: 'preview.mp4', poster: 'poster.jpg' } as const;

/** Whether previews/<id>/ is there (published whole, or not at all). */
export function previewExists(layout: Layout, id: string): Promise<boolean> {
  return exists(join(layout.previewTask(id), PREVIEW_FILES.video));
}

/** Copies the preview and its poster into previews/<id>/ at once; false when one was already published. */
export async function publishPreview(layout: Layout, id: string, video: string, poster: string, copy: (src: string, dst: string) => Promise<void> = copyFileAtomic): Promise<boolean> {
  await mkdir(layout.previews, { recursive: true });
  const tmp = join(layout.previews, `.tmp-${id}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    await copy(video, join(tmp, PREVIEW_FILES.video));
    await copy(poster, join(tmp, PREVIEW_FILES.poster));
    await fsyncPath(tmp);
    await rename(tmp, layout.previewTask(id));
    await fsyncPath(layout.previews);
    return true;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw err;
  }
}
