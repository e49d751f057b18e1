// A person's recording with a transcript: here a recording stands in made by espeak-ng (its own
// word timings are the truth the alignment is measured against).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EspeakProvider } from '../../../src/main-worker/narrate/espeak-ng.js';
import { transcriptWords } from '../../../src/main-worker/narrate/transcript.js';
import { splitSentences, splitWords } from '../../../src/shared/words.js';
import { binaries, tempDir } from '../../helpers.js';

test('transcript: sentences land on the pauses of the recording, words spread within them', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg } = await binaries();
  const text = 'The morning was grey and still. A dog barked twice in the distance. Then everything was quiet again.';
  const truth = await new EspeakProvider({ voice: 'en', rate: 150, pitch: 50 }, { ffmpeg: ffmpeg.path }).synthesize(text, { out: join(dir, 'rec.mp3'), workDir: join(dir, 'w') });
  const got = await transcriptWords(ffmpeg.path, truth.audio, text);
  assert.equal(got.source, 'transcript');
  assert.deepEqual(got.words.map((w) => w.word), splitWords(text));
  let k = 0;
  const errs: number[] = [];
  for (const s of splitSentences(text)) {
    errs.push(Math.abs(got.words[k]!.start - truth.words[k]!.start));
    k += splitWords(s).length;
  }
  t.diagnostic(`sentence starts vs the synthesis' own: worst ${(Math.max(...errs) * 1000).toFixed(0)} ms`);
  assert.ok(Math.max(...errs) <= 0.1, `sentence starts off by ${errs.map((e) => e.toFixed(3)).join(', ')} s`);
  const wordErr = got.words.map((w, i) => Math.abs(w.start - truth.words[i]!.start)).sort((a, b) => a - b);
  t.diagnostic(`word starts (split by length within sentences): median ${(wordErr[Math.floor(wordErr.length / 2)]! * 1000).toFixed(0)} ms`);
  assert.ok(wordErr[Math.floor(wordErr.length / 2)]! <= 0.25);
});
