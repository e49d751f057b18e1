// Word timings (DESIGN §1): `<voice file>.words.json` beside every voice, written by the
// narration engine (src/main-worker/narrate/) and read by the captions layer of a timeline
// (src/shared/timeline/captions.ts). Seconds of the voice file; one entry per spoken word, in
// order, as the text wrote it (punctuation attached: "Hello," is one word).
//
// The pure conversions live here too, so that both daemons and the CLI share them: a
// provider's character alignment to words, and a transcript aligned to the pauses of a person's
// recording.
import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import { readJson, writeJson } from './json.js';

const seconds = z.number({ error: 'a number of seconds >= 0' }).min(0, { error: 'a number of seconds >= 0' });

export const WordSchema = z
  .strictObject({
    word: z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }),
    start: seconds,
    end: seconds,
  })
  .refine((w) => w.end >= w.start, { error: 'a word whose end is at or after its start', path: ['end'] });
export type Word = z.infer<typeof WordSchema>;

/** Where the timings come from: a provider's own alignment or synthesis events, or a transcript aligned to pauses. */
export const WORD_SOURCES = ['espeak-ng', 'elevenlabs', 'transcript', 'transcription'] as const;

export const WordsFileSchema = z.strictObject({
  source: z.enum(WORD_SOURCES, { error: `one of ${WORD_SOURCES.join(', ')}` }),
  words: z.array(WordSchema, { error: 'a list of { "word", "start", "end" }' }),
});
export type WordsFile = z.infer<typeof WordsFileSchema>;

/** `<voice file>.words.json`. */
export function wordsPath(voiceFile: string): string {
  return `${voiceFile}.words.json`;
}

export function readWords(path: string, code: ErrorCode = 'WORDS_INVALID', label = path): Promise<WordsFile> {
  return readJson(WordsFileSchema, path, code, label, { missing: code });
}

export function writeWords(path: string, file: WordsFile): Promise<void> {
  return writeJson(WordsFileSchema, path, file);
}

/** Milliseconds precision is all captions need; keeps the files small and stable. */
export const roundMs = (s: number) => Math.round(s * 1000) / 1000;

/** Han and kana: scripts written without spaces, where a character is the unit of speech. */
const CJK_CHAR = /[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;
const LETTER = /[\p{L}\p{N}]/u;

/**
 * The words of a text with where they lie (code point offsets): runs of non-space characters;
 * in text written without spaces (Han, kana) each character is a word of its own, with the
 * punctuation around it ("你好，" is "你" and "好，"; "「好」" is one; "iPhone买了" is "iPhone", "买", "了").
 */
export function wordSpans(text: string): Array<{ word: string; from: number; to: number }> {
  const chars = [...text];
  const out: Array<{ word: string; from: number; to: number }> = [];
  let cur: { word: string; from: number; to: number } | null = null;
  chars.forEach((c, i) => {
    if (/\s/u.test(c)) {
      if (cur) out.push(cur);
      cur = null;
      return;
    }
    const prev = chars[i - 1];
    // Opening punctuation (no letter yet) stays with the character after it.
    const split = cur !== null && LETTER.test(cur.word) && (CJK_CHAR.test(c) || (LETTER.test(c) && prev !== undefined && CJK_CHAR.test(prev)));
    if (split) out.push(cur!);
    if (!cur || split) cur = { word: c, from: i, to: i + 1 };
    else {
      cur.word += c;
      cur.to = i + 1;
    }
  });
  if (cur) out.push(cur);
  return out;
}

/** The words of a text (see wordSpans). */
export function splitWords(text: string): string[] {
  return wordSpans(text).map((w) => w.word);
}

/**
 * How many words a text holds for judging a voice's pace: a Han or kana character counts as
 * 1/1.5 of a word (4 to 8 of them are spoken per second), so that 0.15 to 1.2 s per word
 * holds for every script.
 */
export function speechUnits(text: string): number {
  return wordSpans(text).reduce((n, w) => n + (CJK_CHAR.test(w.word) ? 1 / 1.5 : 1), 0);
}

/**
 * Words from a character alignment (ElevenLabs' `alignment`: one start and end per character of
 * the text sent), split as wordSpans splits the text: each from its first character's start to
 * its last one's end.
 */
export function wordsFromCharacters(chars: readonly string[], starts: readonly number[], ends: readonly number[], offset = 0): Word[] {
  // Alignment entries are characters, usually one code point each; map code points to entries.
  const entryOf: number[] = [];
  chars.forEach((c, i) => {
    for (const _ of c) entryOf.push(i);
  });
  return wordSpans(chars.join('')).map((w) => {
    const first = entryOf[w.from]!;
    const last = entryOf[w.to - 1]!;
    let start = Infinity;
    let end = -Infinity;
    for (let i = first; i <= last; i++) {
      start = Math.min(start, starts[i] ?? 0);
      end = Math.max(end, ends[i] ?? starts[i] ?? 0);
    }
    return { word: w.word, start: roundMs(start + offset), end: roundMs(Math.max(start, end) + offset) };
  });
}

/** Sentences of a text: ends at . ! ? … and their CJK and Arabic forms (quotes and brackets after them go with them), and at line breaks. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const re = /[^.!?…。！？؟\n]*(?:[.!?…。！？؟]+["'”’»)\]]*|\n|$)/gu;
  for (const m of text.matchAll(re)) {
    const s = m[0].trim();
    if (s) out.push(s);
    if (m[0] === '') break;
  }
  return out;
}

/** A stretch of sound between two pauses, in seconds. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Words of a person's recording from its transcript (no provider alignment): the transcript's
 * sentences are laid on the stretches of sound between the pauses found in the audio
 * (silencedetect), and each sentence's words share its stretch in proportion to their length
 * in characters.
 *
 * Sentences and stretches rarely match one to one: a sentence may hold a breath, two short
 * ones may run together. So the stretches are grouped to the sentences by length: sentence k
 * starts at the pause whose time is nearest to where it would start if speech ran at an even
 * rate over the sound (its share of the characters), and no two sentences share a pause.
 */
export function alignTranscript(transcript: string, sound: readonly Span[], duration: number): Word[] {
  const sentences = splitSentences(transcript).map(splitWords).filter((w) => w.length > 0);
  if (sentences.length === 0) return [];
  const spans = sound.length > 0 ? [...sound].sort((a, b) => a.start - b.start) : [{ start: 0, end: duration }];
  const weight = (ws: string[]) => ws.reduce((n, w) => n + [...w].length, 0) + ws.length - 1;
  const total = sentences.reduce((n, s) => n + weight(s), 0);
  // Speaking time before each stretch, to map a character share onto the stretches.
  const speech = spans.reduce((n, s) => n + (s.end - s.start), 0);
  const boundaries: number[] = [0]; // index of the first stretch of each sentence
  let before = 0;
  for (let k = 1; k < sentences.length; k++) {
    before += weight(sentences[k - 1]!);
    const want = (before / total) * speech; // speaking seconds before sentence k
    let best = -1;
    let bestErr = Infinity;
    let acc = 0;
    const lo = boundaries[k - 1]! + 1;
    for (let j = 0; j < spans.length; j++) {
      if (j >= lo && j <= spans.length - (sentences.length - k)) {
        const err = Math.abs(acc - want);
        if (err < bestErr) (bestErr = err), (best = j);
      }
      acc += spans[j]!.end - spans[j]!.start;
    }
    boundaries.push(best);
  }
  const out: Word[] = [];
  sentences.forEach((ws, k) => {
    const first = boundaries[k]!;
    const next = k + 1 < sentences.length ? boundaries[k + 1]! : spans.length;
    // More sentences than stretches: sentences without a stretch of their own share the previous one.
    let group = first >= 0 && next > first ? spans.slice(first, next) : [];
    if (group.length === 0) group = [spans[Math.min(Math.max(first, 0), spans.length - 1)]!];
    out.push(...spreadWords(ws, group));
  });
  // Shared stretches can overlap: keep the words in order.
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1]!;
    const w = out[i]!;
    if (w.start < prev.end) {
      w.start = prev.end;
      w.end = Math.max(w.end, w.start);
    }
  }
  return out;
}

/** Words laid over the stretches of one sentence in proportion to their length (pauses inside the sentence skipped). */
function spreadWords(words: string[], spans: readonly Span[]): Word[] {
  const lengths = words.map((w) => [...w].length + 1);
  const total = lengths.reduce((a, b) => a + b, 0);
  const speech = spans.reduce((n, s) => n + (s.end - s.start), 0);
  // Speaking seconds -> a time of the recording, over the stretches.
  const at = (t: number): number => {
    let left = t;
    for (const s of spans) {
      const len = s.end - s.start;
      if (left <= len + 1e-9) return s.start + left;
      left -= len;
    }
    return spans[spans.length - 1]!.end;
  };
  let acc = 0;
  return words.map((word, i) => {
    const a = (acc / total) * speech;
    acc += lengths[i]!;
    const b = ((acc - 1) / total) * speech; // the trailing space of the word is not the word
    const start = at(a);
    // A word never spans a pause: it ends within the stretch it starts in.
    const span = spans.find((s) => start >= s.start - 1e-9 && start <= s.end + 1e-9);
    const end = Math.min(at(b), span ? span.end : Infinity);
    return { word, start: roundMs(start), end: roundMs(Math.max(start, end)) };
  });
}
