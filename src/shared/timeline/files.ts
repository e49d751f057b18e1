// The files a timeline names (DESIGN §3): what a render worker downloads and `clipmill render`
// checks, each with the first field that names it (for error messages).
import type { Timeline } from './schema.js';

/** Every file the timeline names, once each, in order of appearance -> the first field that names it (`video[0].file`, after `prefix`). */
export function timelineFileFields(t: Timeline, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  const add = (file: string, field: string) => {
    if (!out.has(file)) out.set(file, `${prefix}${field}`);
  };
  t.video.forEach((s, i) => s.type !== 'color' && add(s.file, `video[${i}].file`));
  t.layers.forEach((l, i) => {
    if (l.type === 'image' || l.type === 'video') add(l.file, `layers[${i}].file`);
    else if (l.type === 'captions') add(l.words, `layers[${i}].words`);
  });
  t.audio.forEach((a, i) => add(a.file, `audio[${i}].file`));
  return out;
}

/** Every file the timeline names, once each, in order of appearance. */
export function timelineFiles(t: Timeline): string[] {
  return [...timelineFileFields(t).keys()];
}
