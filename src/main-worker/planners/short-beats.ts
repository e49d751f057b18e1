// The beats of a short (docs/shorts.md), pure: the voice cut at sentence ends (or clause ends:
// , ; :) into beats of BEAT.min..BEAT.max seconds; a clause longer than that is cut between
// words. Each beat holds the words spoken in it and their keywords (short-keywords.ts).
import type { TransitionType } from '../../shared/timeline/schema.js';
import type { Word } from '../../shared/words.js';
import { round } from './job.js';
import { keywords } from './short-keywords.js';

/** Seconds a beat lasts (the last may run to the end of the voice). */
export const BEAT = { min: 2, max: 6 } as const;
/** A clause this long or longer may end a beat even where no sentence ends. */
const CLAUSE_BEAT = 3.5;

const SENTENCE_END = /[.!?…。！？؟]["'”’»)\]]*$/u;
const CLAUSE_END = /[,;:—–、，；：]["'”’»)\]]*$/u;

export interface Beat {
  start: number;
  end: number;
  /** The words spoken in it, as written. */
  text: string;
  keywords: string[];
  /** From the llm planner: what kind of picture to show ("any": either), and the transition into the beat. */
  assetType?: 'footage' | 'still' | 'any';
  transition?: TransitionType;
}

/**
 * Where the short ends: the whole voice, or, with a target, the end of the last sentence that
 * ends by the target (plus a breath), else the target itself.
 */
export function shortEnd(words: readonly Word[], duration: number, target?: number): number {
  if (target === undefined || duration <= target) return round(duration);
  let end = 0;
  for (const w of words) if (w.end <= target && SENTENCE_END.test(w.word)) end = w.end;
  return round(end >= BEAT.min ? Math.min(target, end + 0.4, duration) : target);
}

/** The beats of a voice that lasts `end` seconds (words past it are dropped). */
export function planBeats(allWords: readonly Word[], end: number): Beat[] {
  const words = allWords.filter((w) => w.start < end);
  // Cut points: between two words, at the middle of the pause, marked by what ends before it.
  const cuts: { at: number; sentence: boolean; clause: boolean }[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1]!;
    cuts.push({ at: round((w.end + next.start) / 2), sentence: SENTENCE_END.test(w.word), clause: CLAUSE_END.test(w.word) });
  }
  let bounds: number[] = [0];
  let start = 0;
  cuts.forEach((c, i) => {
    const len = c.at - start;
    const nextAt = cuts[i + 1]?.at ?? end;
    if (len >= BEAT.min && end - c.at >= BEAT.min && (c.sentence || nextAt - start > BEAT.max || (c.clause && len >= CLAUSE_BEAT))) {
      bounds.push(c.at);
      start = c.at;
    }
  });
  bounds.push(end);
  // A beat over the maximum (a long clause, a long pause) is cut between words, else evenly.
  const split: number[] = [0];
  for (let k = 1; k < bounds.length; k++) {
    const a = bounds[k - 1]!;
    const b = bounds[k]!;
    const n = Math.ceil((b - a) / BEAT.max - 1e-9);
    for (let j = 1; j < n; j++) {
      const ideal = a + ((b - a) * j) / n;
      const inside = words.map((w) => w.start).filter((t) => t - split[split.length - 1]! >= BEAT.min && b - t >= BEAT.min && t - split[split.length - 1]! <= BEAT.max);
      const near = inside.sort((x, y) => Math.abs(x - ideal) - Math.abs(y - ideal))[0];
      split.push(round(near !== undefined && Math.abs(near - ideal) < BEAT.max / 3 ? near : ideal));
    }
    split.push(b);
  }
  bounds = split;
  // A voice shorter than a beat is one beat.
  if (bounds.length < 2) bounds = [0, end];
  const beats: Beat[] = [];
  for (let k = 1; k < bounds.length; k++) {
    const a = bounds[k - 1]!;
    const b = bounds[k]!;
    if (b - a <= 1e-6) continue;
    const text = wordsInBeat(words, a, b, k === bounds.length - 1).map((w) => w.word).join(' ');
    beats.push({ start: round(a), end: round(b), text, keywords: keywords(text) });
  }
  return beats;
}

/** The words said in the beat from `start` to `end`: those whose middle falls in it (the last beat takes every word after its start). */
export function wordsInBeat<W extends { start: number; end: number }>(words: readonly W[], start: number, end: number, last: boolean): W[] {
  return words.filter((w) => {
    const mid = (w.start + w.end) / 2;
    return mid >= start && (mid < end || last);
  });
}
