// The ElevenLabs provider: POST /v1/text-to-speech/{voice_id}/with-timestamps with the
// xi-api-key header; the answer is JSON with the MP3 in base64 and a character alignment (a
// start and an end per character), from which the word timings come.
//
// - Text over narration.elevenlabsMaxChars is sent in pieces cut at sentence ends (each with
//   the text around it as previous_text/next_text, so the intonation carries over); the pieces
//   are decoded, joined with short ramps (pcm.ts joinPcm: no click) and encoded once.
// - 429, 5xx, timeouts, network errors and answers that are cut short or do not decode are
//   retried with the shared backoff (src/shared/retry.ts), Retry-After honoured; any other 4xx
//   is NARRATION_REJECTED at once.
// - Every answer is validated: its audio decodes and lasts 0.15 to 1.2 s per word.
// - The key comes from the environment variable narration.elevenlabsApiKeyEnv or the file
//   narration.elevenlabsApiKeyFile; it is sent in one header and appears in no message or log.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { RetryPolicy } from '../../shared/retry.js';
import { speechUnits, splitSentences, splitWords, wordsFromCharacters, type Word } from '../../shared/words.js';
import { notJson, providerRequest, retryProvider } from '../shorts/http.js';
import { decodePcm, encodeMp3, joinPcm, type Pcm } from './pcm.js';
import { SECONDS_PER_WORD, type NarrationProvider, type Synthesis, type SynthesizeOptions } from './provider.js';

export interface ElevenLabsSettings {
  baseUrl: string;
  voiceId: string | null;
  model: string;
  stability: number;
  similarity: number;
  style: number;
  speakerBoost: boolean;
  apiKeyEnv: string;
  apiKeyFile: string | null;
  maxChars: number;
  timeoutMs: number;
  tries: number;
  retryBaseMs: number;
}

/** The decoded rate of every piece (the API's mp3_44100_128). */
const RATE = 44100;
const OUTPUT_FORMAT = 'mp3_44100_128';
/** The largest answer read: a piece (narration.elevenlabsMaxChars of text) is well under a minute of 128 kb/s MP3, base64, with its character timings. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * Text cut into pieces of at most `max` characters at sentence ends; a sentence longer than
 * `max` is cut between words, a word longer than `max` (no language has one) between characters.
 */
export function splitForLimit(text: string, max: number): string[] {
  const pieces: string[] = [];
  let cur = '';
  const push = (s: string) => {
    if (!cur) cur = s;
    else if (cur.length + 1 + s.length <= max) cur += ` ${s}`;
    else {
      pieces.push(cur);
      cur = s;
    }
  };
  for (const sentence of splitSentences(text)) {
    if (sentence.length <= max) {
      push(sentence);
      continue;
    }
    for (const word of splitWords(sentence)) {
      if (word.length <= max) push(word);
      else for (let i = 0; i < word.length; i += max) push(word.slice(i, i + max));
    }
  }
  if (cur) pieces.push(cur);
  return pieces;
}

/** Checks a piece of voice against its words: it must last 0.15 to 1.2 s per word. */
export function checkPace(seconds: number, words: number, what: string): void {
  if (words <= 0) throw new ClipmillError('NARRATION_INVALID', `${what}: the text holds no words`);
  const per = seconds / words;
  if (per < SECONDS_PER_WORD.min || per > SECONDS_PER_WORD.max) {
    throw new ClipmillError('NARRATION_INVALID', `${what}: ${seconds.toFixed(2)} s for ${Math.round(words * 10) / 10} words (${per.toFixed(2)} s per word; accepted: ${SECONDS_PER_WORD.min} to ${SECONDS_PER_WORD.max})`, { details: { seconds, words } });
  }
}

interface Answer {
  audio_base64: string;
  alignment: { characters: string[]; character_start_times_seconds: number[]; character_end_times_seconds: number[] } | null;
}

function parseAnswer(body: string): Answer {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new ClipmillError('NARRATION_UNAVAILABLE', `ElevenLabs answered with JSON that does not parse (cut short?): ${notJson(body)}`);
  }
  const a = v as Partial<Answer>;
  const al = a?.alignment;
  const ok =
    typeof a?.audio_base64 === 'string' &&
    al != null &&
    Array.isArray(al.characters) &&
    Array.isArray(al.character_start_times_seconds) &&
    Array.isArray(al.character_end_times_seconds) &&
    al.characters.length === al.character_start_times_seconds.length &&
    al.characters.length === al.character_end_times_seconds.length &&
    al.character_start_times_seconds.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
    al.character_end_times_seconds.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!ok) throw new ClipmillError('NARRATION_UNAVAILABLE', 'ElevenLabs answered without audio_base64 and a whole alignment (characters, character_start_times_seconds, character_end_times_seconds of one length)');
  return a as Answer;
}

export class ElevenLabsProvider implements NarrationProvider {
  readonly name = 'elevenlabs' as const;
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly s: ElevenLabsSettings,
    private readonly bins: { ffmpeg: string },
    private readonly log?: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.settings = Object.freeze({ voice: s.voiceId ?? '', model: s.model, stability: s.stability, similarity: s.similarity, style: s.style, speakerBoost: s.speakerBoost, format: OUTPUT_FORMAT });
    this.policy = new RetryPolicy({ tries: s.tries, baseMs: s.retryBaseMs, maxRetryAfterMs: 60_000, jitter: 0.2 });
  }

  private async apiKey(): Promise<string> {
    const fromEnv = this.env[this.s.apiKeyEnv]?.trim();
    if (fromEnv) return fromEnv;
    if (this.s.apiKeyFile) {
      const key = await readFile(this.s.apiKeyFile, 'utf8').then(
        (t) => t.trim(),
        (err: NodeJS.ErrnoException) => {
          throw new ClipmillError('NARRATION_CONFIG', `the ElevenLabs key file ${this.s.apiKeyFile} cannot be read (${err.code ?? err.message})`);
        },
      );
      if (key) return key;
    }
    throw new ClipmillError('NARRATION_CONFIG', `no ElevenLabs API key: set the environment variable ${this.s.apiKeyEnv} (narration.elevenlabsApiKeyEnv) or narration.elevenlabsApiKeyFile`);
  }

  async synthesize(text: string, opts: SynthesizeOptions, signal?: AbortSignal): Promise<Synthesis> {
    const voiceId = this.s.voiceId;
    if (!voiceId) throw new ClipmillError('NARRATION_CONFIG', 'narration.elevenlabsVoiceId is null: the elevenlabs provider needs a voice id');
    const key = await this.apiKey();
    await mkdir(opts.workDir, { recursive: true });
    const pieces = splitForLimit(text, this.s.maxChars);
    if (pieces.length === 0) throw new ClipmillError('NARRATION_INVALID', 'the text holds no words');
    const decoded: Pcm[] = [];
    const pieceWords: Word[][] = [];
    for (let k = 0; k < pieces.length; k++) {
      signal?.throwIfAborted();
      const context = { previous: pieces.slice(0, k).join(' ').slice(-1000), next: pieces.slice(k + 1).join(' ').slice(0, 1000) };
      const { pcm, words } = await retryProvider(this.policy, () => this.piece(voiceId, key, pieces[k]!, context, join(opts.workDir, `piece-${k}`), signal), `ElevenLabs (piece ${k + 1} of ${pieces.length})`, this.log, signal);
      decoded.push(pcm);
      pieceWords.push(words);
    }
    const { pcm, offsets } = joinPcm(decoded);
    const words = pieceWords.flatMap((ws, k) => ws.map((w) => ({ word: w.word, start: Math.round((w.start + offsets[k]!) * 1000) / 1000, end: Math.round((w.end + offsets[k]!) * 1000) / 1000 })));
    await encodeMp3(this.bins.ffmpeg, pcm, join(opts.workDir, 'joined.pcm'), opts.out, signal);
    await rm(join(opts.workDir, 'joined.pcm'), { force: true });
    return { audio: opts.out, duration: pcm.samples.length / pcm.rate, words };
  }

  /** One request, its answer validated: the piece's PCM and words (seconds of the piece). */
  private async piece(voiceId: string, key: string, text: string, context: { previous: string; next: string }, tmp: string, signal?: AbortSignal): Promise<{ pcm: Pcm; words: Word[] }> {
    const url = `${this.s.baseUrl.replace(/\/+$/, '')}/v1/text-to-speech/${encodeURIComponent(voiceId)}/with-timestamps?output_format=${OUTPUT_FORMAT}`;
    const body = {
      text,
      model_id: this.s.model,
      voice_settings: { stability: this.s.stability, similarity_boost: this.s.similarity, style: this.s.style, use_speaker_boost: this.s.speakerBoost },
      ...(context.previous ? { previous_text: context.previous } : {}),
      ...(context.next ? { next_text: context.next } : {}),
    };
    // The shared provider exchange (shorts/http.ts): timeout, 429/5xx retried vs 4xx refused, an answer read up to a size limit, no answer text in messages.
    const got = await providerRequest(
      {
        provider: 'ElevenLabs',
        url,
        baseUrl: this.s.baseUrl,
        key,
        keyHeader: 'xi-api-key',
        body: JSON.stringify(body),
        contentType: 'application/json',
        timeoutMs: this.s.timeoutMs,
        maxBytes: MAX_ANSWER_BYTES,
        settings: { timeout: 'narration.elevenlabsTimeoutMs', maxBytes: `${MAX_ANSWER_BYTES} bytes, a piece's audio and timings` },
        codes: { unavailable: 'NARRATION_UNAVAILABLE', rejected: 'NARRATION_REJECTED' },
      },
      signal,
    );
    const answer = got.text;
    const a = parseAnswer(answer);
    const mp3 = Buffer.from(a.audio_base64, 'base64');
    if (mp3.length === 0) throw new ClipmillError('NARRATION_UNAVAILABLE', 'ElevenLabs answered with no audio');
    await writeFile(`${tmp}.mp3`, mp3);
    let pcm: Pcm;
    try {
      pcm = await decodePcm(this.bins.ffmpeg, `${tmp}.mp3`, `${tmp}.pcm`, RATE, 'NARRATION_UNAVAILABLE', signal);
    } finally {
      await rm(`${tmp}.mp3`, { force: true });
      await rm(`${tmp}.pcm`, { force: true });
    }
    const al = a.alignment!;
    const words = wordsFromCharacters(al.characters, al.character_start_times_seconds, al.character_end_times_seconds);
    const seconds = pcm.samples.length / RATE;
    checkPace(seconds, speechUnits(text), `ElevenLabs' voice of "${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`);
    if (words.length === 0) throw new ClipmillError('NARRATION_INVALID', 'ElevenLabs answered with an alignment that holds no words');
    return { pcm, words };
  }
}
