import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cacheKey, NarrationCache } from '../../../src/main-worker/narrate/cache.js';
import type { NarrationProvider, SynthesizeOptions } from '../../../src/main-worker/narrate/provider.js';
import { wordsPath } from '../../../src/shared/words.js';
import { tempDir } from '../../helpers.js';

/** A provider that writes its text as the "audio" and counts its calls; `fail` makes the next call throw. */
function counting(settings: Record<string, string | number> = { voice: 'a' }) {
  const p = {
    name: 'espeak-ng' as const,
    settings,
    calls: 0,
    fail: false,
    async synthesize(text: string, opts: SynthesizeOptions) {
      p.calls++;
      if (p.fail) throw new Error('provider down');
      await writeFile(opts.out, text);
      return { audio: opts.out, duration: 1, words: [{ word: text, start: 0, end: 1 }] };
    },
  };
  return p satisfies NarrationProvider;
}

test('cache: the key covers provider, settings (in any order) and text', () => {
  const a = counting({ voice: 'a', rate: 1 });
  assert.equal(cacheKey(a, 'x'), cacheKey(counting({ rate: 1, voice: 'a' }), 'x'));
  assert.notEqual(cacheKey(a, 'x'), cacheKey(a, 'y'));
  assert.notEqual(cacheKey(a, 'x'), cacheKey(counting({ voice: 'b', rate: 1 }), 'x'));
  assert.notEqual(cacheKey(a, 'x'), cacheKey({ name: 'elevenlabs', settings: a.settings }, 'x'));
});

test('cache: a text is voiced once; a failure leaves nothing half-made; a broken words file is made again', async (t) => {
  const dir = join(await tempDir(t), 'cache');
  const p = counting();
  const cache = new NarrationCache(dir);
  p.fail = true;
  await assert.rejects(cache.voice(p, 'hello'), /provider down/);
  assert.deepEqual(await readdir(dir), [], 'no temp, no work folder left');
  p.fail = false;
  const [a, b] = await Promise.all([cache.voice(p, 'hello'), cache.voice(p, 'hello')]);
  assert.equal(p.calls, 2, 'one failed call, then one call for both');
  assert.equal(a.audio, b.audio);
  assert.equal(await readFile(a.audio, 'utf8'), 'hello');
  assert.deepEqual((await cache.voice(p, 'hello')).hit, true);
  assert.equal(p.calls, 2);
  await writeFile(wordsPath(a.audio), '{"words": ');
  assert.equal((await cache.voice(p, 'hello')).hit, false);
  assert.equal(p.calls, 3);
  assert.deepEqual((await readdir(dir)).sort(), [`${cacheKey(p, 'hello')}.mp3`, `${cacheKey(p, 'hello')}.mp3.words.json`]);
});
