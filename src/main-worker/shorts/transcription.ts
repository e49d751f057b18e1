// Speech to text for shorts whose audio has neither word timings nor a transcript: an
// OpenAI-compatible POST <shorts.transcriptionBaseUrl>/v1/audio/transcriptions with word
// timestamps (verbose_json, timestamp_granularities[]=word). The answer is validated (a text and
// words with start <= end, in order) and the words get back the punctuation of the text (the
// words list has none), which the beats are cut at. Retries with the shared backoff; the
// provider's circuit breaker is the caller's (provider-breaker.ts).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { ClipmillError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { RetryPolicy } from '../../shared/retry.js';
import { roundMs, splitWords, type Word, type WordsFile } from '../../shared/words.js';
import { notJson, providerKey, providerRequest, retryProvider, schemaIssues } from './http.js';

export interface TranscriptionSettings {
  baseUrl: string;
  model: string;
  apiKeyEnv: string;
  timeoutMs: number;
  maxBytes: number;
  tries: number;
  retryBaseMs: number;
}

const seconds = z.number().finite().min(0);
const AnswerSchema = z.object({
  text: z.string(),
  words: z.array(z.object({ word: z.string(), start: seconds, end: seconds })).min(1),
});

const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * The provider's words with the text's spelling: each word is matched to the next word of the
 * text that has the same letters (within a few), whose form ("car." rather than "car") it takes.
 */
export function punctuate(words: readonly { word: string; start: number; end: number }[], text: string): Word[] {
  const tokens = splitWords(text);
  let k = 0;
  const out: Word[] = [];
  for (const w of words) {
    const bare = letters(w.word);
    let form = w.word.trim();
    for (let j = k; j < Math.min(tokens.length, k + 4); j++) {
      if (letters(tokens[j]!) === bare && bare) {
        form = tokens[j]!;
        k = j + 1;
        break;
      }
    }
    if (!form) continue;
    const start = roundMs(w.start);
    out.push({ word: form, start, end: Math.max(start, roundMs(w.end)) });
  }
  return out;
}

export class TranscriptionProvider {
  private readonly policy: RetryPolicy;

  constructor(
    private readonly s: TranscriptionSettings,
    private readonly log?: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.policy = new RetryPolicy({ tries: s.tries, baseMs: s.retryBaseMs, maxRetryAfterMs: 60_000, jitter: 0.2 });
  }

  /** The word timings of `file` (its label for messages: `what`). */
  async transcribe(file: string, what: string, signal?: AbortSignal): Promise<WordsFile> {
    const audio = await readFile(file);
    const base = this.s.baseUrl;
    const answer = await retryProvider(
      this.policy,
      () => {
        const form = new FormData();
        form.set('file', new Blob([audio]), basename(file));
        form.set('model', this.s.model);
        form.set('response_format', 'verbose_json');
        form.append('timestamp_granularities[]', 'word');
        return providerRequest({ provider: 'transcription', url: `${base.replace(/\/+$/, '')}/v1/audio/transcriptions`, baseUrl: base, key: providerKey(this.s.apiKeyEnv, this.env), body: form, timeoutMs: this.s.timeoutMs, maxBytes: this.s.maxBytes }, signal);
      },
      `the transcription of ${what}`,
      this.log,
      signal,
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      throw new ClipmillError('PROVIDER_INVALID', `transcription of ${what}: the answer is ${notJson(answer.text)}`);
    }
    const r = AnswerSchema.safeParse(parsed);
    if (!r.success) throw new ClipmillError('PROVIDER_INVALID', `transcription of ${what}: the answer has no text and word timestamps ({"text", "words": [{"word", "start", "end"}]}): ${schemaIssues(r.error.issues)}`);
    const words = punctuate(r.data.words, r.data.text);
    for (let i = 1; i < words.length; i++) if (words[i]!.start < words[i - 1]!.start) throw new ClipmillError('PROVIDER_INVALID', `transcription of ${what}: word ${i + 1} starts before the one before it`);
    if (!words.length) throw new ClipmillError('PROVIDER_INVALID', `transcription of ${what}: no words`);
    return { source: 'transcription', words };
  }
}
