// Word timings for planner tests: sentences spoken at an even pace.
import type { Word } from '../../../src/shared/words.js';

/** Words of sentences: each word 0.3 s with 0.05 s between, 0.6 s between sentences. */
export function speak(text: string, start = 0): Word[] {
  const out: Word[] = [];
  let t = start;
  for (const sentence of text.split(/(?<=[.!?])\s+/)) {
    for (const w of sentence.split(/\s+/)) {
      out.push({ word: w, start: Math.round(t * 1000) / 1000, end: Math.round((t + 0.3) * 1000) / 1000 });
      t += 0.35;
    }
    t += 0.6;
  }
  return out;
}
