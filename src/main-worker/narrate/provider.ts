// The narration providers (DESIGN §4 Narrate) behind one interface: text in, an MP3 and its
// word timings out. espeak-ng.ts runs locally; elevenlabs.ts calls the HTTP API. The cache
// (cache.ts) sits in front of either, so that text voiced once with the same provider, voice
// and settings is never sent again.
import type { Word } from '../../shared/words.js';

export interface SynthesizeOptions {
  /** Where the MP3 goes (written whole, then left for the caller to rename into place). */
  out: string;
  /** A private scratch folder for intermediate files (PCM, pieces). */
  workDir: string;
}

export interface Synthesis {
  /** The MP3 written (opts.out). */
  audio: string;
  /** Seconds of the MP3, as decoded. */
  duration: number;
  /** One entry per word of the text, in order, in seconds of the MP3. */
  words: Word[];
}

export interface NarrationProvider {
  /** "espeak-ng" or "elevenlabs": the `source` of the words files it writes. */
  readonly name: 'espeak-ng' | 'elevenlabs';
  /**
   * Everything that changes the voice besides the text (voice, model, rate, settings): with the
   * provider's name and the text, the cache key. Never holds a secret.
   */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  synthesize(text: string, opts: SynthesizeOptions, signal?: AbortSignal): Promise<Synthesis>;
}

/** Words per second of speech a voice must keep to be accepted: 0.15 to 1.2 s per word. */
export const SECONDS_PER_WORD = { min: 0.15, max: 1.2 } as const;
