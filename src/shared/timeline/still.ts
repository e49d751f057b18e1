// A still image as a video segment: fitted to the output, held for the segment's duration.
import type { StillSegment } from './schema.js';
import { fitChains } from './fit.js';

/**
 * Chains from `input` (the label of a one-frame image input, `[3:v]`) to `output`: exactly
 * `frames` frames at w x h, yuv420p, square pixels, timestamps 0, 1/fps, 2/fps ...
 */
export function stillChains(seg: StillSegment, input: string, output: string, w: number, h: number, fps: number, frames: number, id: string): string[] {
  const fitted = `[${id}fit]`;
  return [...fitChains(seg.fit, input, fitted, w, h, id, seg.flip), `${fitted}loop=loop=${frames - 1}:size=1,setpts=N/(${fps}*TB),fps=${fps}${output}`];
}
