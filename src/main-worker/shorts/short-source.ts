// What a short is made of, whatever brought it (raw/short/ or a job file), and what derives
// from its key: its task id and its seed (the same short, the same task and plan, after any restart).
import { createHash } from 'node:crypto';
import { stableUuid } from '../../shared/ids.js';
import type { Selector } from '../../shared/job.js';
import type { ShortRules } from '../planners/short.js';

export function shortTaskIdFor(key: string): string {
  return stableUuid('clipmill-short-task', key);
}

/** The seed of a short's draws: 32 bits of a hash of its key. */
export function shortSeed(key: string): number {
  return createHash('sha256').update(`clipmill-short-seed\0${key}`).digest().readUInt32BE(0);
}

/** One short to make: what it is made of, whatever brought it (raw/short/ or a job file). */
export interface ShortSource {
  key: string;
  /** The voice, relative to the root, and its seconds. */
  audio: string;
  duration: number;
  category: string;
  /** What is said, to align offline when there are no word timings yet. */
  transcript?: string | undefined;
  targetSeconds?: number | undefined;
  style?: ShortRules['captionStyle'] | undefined;
  music?: Selector | undefined;
  priority: number;
  quality: ShortRules['quality'];
  output?: { width: number; height: number; fps: number } | undefined;
}
