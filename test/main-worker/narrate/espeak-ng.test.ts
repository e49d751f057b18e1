// The espeak-ng provider for real (libespeak-ng through python3), and the accuracy of its word
// timings measured against the audio itself: word starts against the onsets ffmpeg's
// silencedetect finds, with pauses between words (espeak-ng -g: the library's WORDGAP) and,
// at sentence level, in normal speech.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EspeakProvider, wordsFromEvents } from '../../../src/main-worker/narrate/espeak-ng.js';
import { soundSpans } from '../../../src/main-worker/narrate/pcm.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import { alignTranscript, splitSentences, splitWords } from '../../../src/shared/words.js';
import { binaries, tempDir } from '../../helpers.js';

async function espeak(wordGap = 0, voice = 'en') {
  return new EspeakProvider({ voice, rate: 165, pitch: 50, wordGap }, { ffmpeg: (await binaries()).ffmpeg.path });
}

/** Each start against the nearest onset: errors in ms, sorted. */
function errors(starts: number[], onsets: number[]): number[] {
  return starts.map((s) => Math.min(...onsets.map((o) => Math.abs(o - s))) * 1000).sort((a, b) => a - b);
}
const median = (xs: number[]) => (xs.length % 2 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2);

const TEXT = 'Seven quiet foxes wander slowly through the misty garden before sunrise. Nobody hears them, because everybody is sleeping.';

test('espeak-ng: word starts within 50 ms (median) and 150 ms (worst) of the onsets, with pauses between words', async (t) => {
  const dir = await tempDir(t);
  const p = await espeak(30); // 300 ms between words
  const r = await p.synthesize(TEXT, { out: join(dir, 'gap.mp3'), workDir: join(dir, 'w') });
  assert.deepEqual(r.words.map((w) => w.word), splitWords(TEXT));
  const { ffmpeg } = await binaries();
  const { spans } = await soundSpans(ffmpeg.path, r.audio, { noiseDb: -40, minPause: 0.1 });
  // Every word is its own stretch of sound: the onsets are the words' true starts.
  assert.equal(spans.length, r.words.length, `silencedetect found ${spans.length} stretches for ${r.words.length} words`);
  const e = errors(r.words.map((w) => w.start), spans.map((s) => s.start));
  t.diagnostic(`word starts vs onsets (-g 30): median ${median(e).toFixed(1)} ms, worst ${e[e.length - 1]!.toFixed(1)} ms over ${e.length} words`);
  assert.ok(median(e) <= 50, `median ${median(e)} ms`);
  assert.ok(e[e.length - 1]! <= 150, `worst ${e[e.length - 1]} ms`);
  for (const w of r.words) assert.ok(w.end > w.start, `${w.word} has a length`);
  // The alternative measured for comparison: sentence boundaries exact, words split within each
  // sentence in proportion to their length (what per-sentence synthesis would give).
  let k = 0;
  const proportional = splitSentences(TEXT).flatMap((s) => {
    const n = splitWords(s).length;
    const span = { start: r.words[k]!.start, end: r.words[k + n - 1]!.end };
    k += n;
    return alignTranscript(s, [span], r.duration);
  });
  const p2 = errors(proportional.map((w) => w.start), spans.map((s) => s.start));
  t.diagnostic(`per-sentence timing split by word length, for comparison: median ${median(p2).toFixed(1)} ms, worst ${p2[p2.length - 1]!.toFixed(1)} ms`);
});

test('espeak-ng: normal speech, sentence starts against the onsets after each sentence pause', async (t) => {
  const dir = await tempDir(t);
  const text = 'The river was cold. We crossed it anyway! Then the sun came out. It was a good day, after all.';
  const r = await (await espeak(0)).synthesize(text, { out: join(dir, 'normal.mp3'), workDir: join(dir, 'w') });
  const { ffmpeg } = await binaries();
  const { spans } = await soundSpans(ffmpeg.path, r.audio, { noiseDb: -40, minPause: 0.2 });
  let k = 0;
  const starts = splitSentences(text).map((s) => {
    const start = r.words[k]!.start;
    k += splitWords(s).length;
    return start;
  });
  const e = errors(starts, spans.map((s) => s.start));
  t.diagnostic(`sentence starts vs onsets (normal speech): median ${median(e).toFixed(1)} ms, worst ${e[e.length - 1]!.toFixed(1)} ms over ${e.length} sentences`);
  assert.ok(e[e.length - 1]! <= 150, `worst ${e[e.length - 1]} ms`);
  // The words cover the voice in order.
  for (let i = 1; i < r.words.length; i++) assert.ok(r.words[i]!.start >= r.words[i - 1]!.start);
  assert.ok(r.words[r.words.length - 1]!.end <= r.duration + 0.001);
});

test('espeak-ng: Unicode text keeps its words; an unknown voice is a configuration error', async (t) => {
  const dir = await tempDir(t);
  const text = 'Café “über” naïve — 1,234 things.';
  const r = await (await espeak()).synthesize(text, { out: join(dir, 'u.mp3'), workDir: join(dir, 'w') });
  assert.deepEqual(r.words.map((w) => w.word), splitWords(text));
  for (let i = 1; i < r.words.length; i++) assert.ok(r.words[i]!.start >= r.words[i - 1]!.end - 1e-9, 'in order');
  await assert.rejects((await espeak(0, 'no-such-voice')).synthesize('hello', { out: join(dir, 'x.mp3'), workDir: join(dir, 'w') }), (e: ClipmillError) => e.code === 'NARRATION_CONFIG' && /no-such-voice/.test(e.message));
});

test('espeak-ng: words from events — several events in one word, none in another, silence trimmed', () => {
  const rate = 1000;
  const samples = new Int16Array(1000);
  samples.fill(5000, 100, 300); // "one"
  samples.fill(5000, 400, 700); // "1,234" (three events)
  samples.fill(5000, 800, 950); // "end"
  const words = wordsFromEvents('one — 1,234 end', [[0, 50], [6, 380], [8, 500], [10, 600], [12, 790]], { rate, samples });
  assert.deepEqual(words, [
    { word: 'one', start: 0.1, end: 0.3 },
    { word: '—', start: 0.3, end: 0.3 },
    { word: '1,234', start: 0.4, end: 0.7 },
    { word: 'end', start: 0.8, end: 0.95 },
  ]);
});
