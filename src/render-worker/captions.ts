// captions.srt and captions.vtt beside final.mp4 when the timeline has captions layers
// (platforms take uploaded captions too): the same pages the video shows, as lines.
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/fs.js';
import { captionCues, hasCaptions, toSrt, toVtt } from '../shared/timeline/captions.js';
import { captionWords } from '../shared/timeline/prepare.js';
import type { Timeline } from '../shared/timeline/schema.js';

/** Writes `dir`/captions.srt and captions.vtt for a timeline with captions; returns whether it did. */
export async function writeCaptionFiles(tl: Timeline, paths: ReadonlyMap<string, string>, dir: string): Promise<boolean> {
  if (!hasCaptions(tl)) return false;
  const cues = captionCues(tl, await captionWords(tl, paths));
  await writeFileAtomic(join(dir, 'captions.srt'), toSrt(cues));
  await writeFileAtomic(join(dir, 'captions.vtt'), toVtt(cues));
  return true;
}
