// The narration cache (scanned/cache/narration/): a voice is filed under the hash of what made
// it — the provider, its voice and settings, and the text — so that text already voiced the
// same way is never sent to a provider again (ElevenLabs charges per character), across
// restarts and for every place the same text is voiced (a story chapter, a narration part, a
// regeneration that comes back to an earlier voice). Files: <key>.mp3 and <key>.mp3.words.json,
// the words written first, both renamed in whole (a crash leaves a dot-named temp or nothing).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { exists, fsyncPath, tempPathFor } from '../../shared/fs.js';
import { readWords, wordsPath, writeWords, type WordsFile } from '../../shared/words.js';
import type { NarrationProvider } from './provider.js';

export interface Voiced {
  /** The cached MP3 (copy it; never move or edit it). */
  audio: string;
  words: WordsFile;
  /** Whether it was in the cache already (no provider call). */
  hit: boolean;
}

/** The cache key: sha256 of the provider's name, its settings (sorted) and the text. */
export function cacheKey(provider: Pick<NarrationProvider, 'name' | 'settings'>, text: string): string {
  const settings = Object.fromEntries(Object.entries(provider.settings).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(JSON.stringify({ provider: provider.name, settings, text })).digest('hex');
}

export class NarrationCache {
  /** Voices being made in this process, by key: two callers with the same text share one synthesis. */
  private readonly pending = new Map<string, Promise<Voiced>>();

  constructor(readonly dir: string) {}

  pathFor(key: string): string {
    return join(this.dir, `${key}.mp3`);
  }

  /** The voice of `text`, from the cache or made by `provider` and filed in it. */
  voice(provider: NarrationProvider, text: string, signal?: AbortSignal): Promise<Voiced> {
    const key = cacheKey(provider, text);
    let p = this.pending.get(key);
    if (!p) {
      p = this.make(provider, key, text, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async make(provider: NarrationProvider, key: string, text: string, signal?: AbortSignal): Promise<Voiced> {
    const audio = this.pathFor(key);
    if ((await exists(audio)) && (await exists(wordsPath(audio)))) {
      // A words file that does not read (edited by hand) is made again rather than trusted.
      const words = await readWords(wordsPath(audio)).catch(() => null);
      if (words) return { audio, words, hit: true };
    }
    await mkdir(this.dir, { recursive: true });
    const work = await mkdtemp(join(this.dir, `.work-${key.slice(0, 12)}-`));
    try {
      const tmp = tempPathFor(audio);
      const made = await provider.synthesize(text, { out: tmp, workDir: work }, signal);
      const words: WordsFile = { source: provider.name, words: made.words };
      try {
        await writeWords(wordsPath(audio), words);
        await fsyncPath(tmp);
        await rename(tmp, audio);
        await fsyncPath(this.dir);
      } finally {
        await rm(tmp, { force: true });
      }
      return { audio, words, hit: false };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
