// The shorts section of the configuration (schema.ts SECTIONS.shorts): audio to vertical shorts
// (docs/shorts.md). docs/config.md says what each key does.
import { z } from 'zod';
import { flag, integer, number, oneOf, section, text } from './fields.js';

const url = () => text(/^https?:\/\/[^\s]+$/, 'an http(s) URL, or null').nullable();
const envName = () => text(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const shortsSection = section('shorts', {
  /** The size of a short, even width and height. Default "1080x1920". */
  resolution: text(/^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$/, '"WIDTHxHEIGHT" such as "1080x1920"'),
  /** Audio dropped into raw/short/ shorter than this (decoded) is rejected. Default 3. */
  minSeconds: number(0.1),
  /** Audio dropped into raw/short/ longer than this (decoded) is rejected. Default 180. */
  maxSeconds: number(1),
  /** Who plans the scenes: "local" (offline, keyword matching) or "llm" (shorts.llmBaseUrl's chat completions, falling back to local). Default "local". */
  planner: oneOf(['local', 'llm']),
  /** The captions' style when the sidecar or job sets none: "line", "word" or "karaoke". Default "karaoke". */
  captionStyle: oneOf(['line', 'word', 'karaoke']),
  /** The music's linear gain in the pauses of the voice. Default 0.3. */
  musicVolume: number(0, 10),
  /** Decibels the music is lowered by while words are spoken (at least 12). Default 18. */
  duckDb: number(12, 60),
  /** The transition between beats: an xfade name, or "cut". Default "fade". */
  transition: oneOf(['cut', 'fade', 'fadeblack', 'dissolve', 'wipeleft', 'wiperight', 'slideleft', 'slideright', 'smoothleft', 'smoothright', 'circleopen', 'zoomin']),
  /** Seconds of each transition. Default 0.3. */
  transitionSeconds: number(0.04, 2),
  /** An OpenAI-compatible speech-to-text service (POST <url>/v1/audio/transcriptions) for audio without a transcript; null: none. Default null. */
  transcriptionBaseUrl: url(),
  /** Its model. Default "whisper-1". */
  transcriptionModel: text(/^[A-Za-z0-9_.:\/-]{1,128}$/, 'a model name'),
  /** The environment variable holding its API key (unset: no Authorization header). Default "OPENAI_API_KEY". */
  transcriptionApiKeyEnv: envName(),
  /** An OpenAI-compatible chat completions service (POST <url>/v1/chat/completions) for shorts.planner "llm"; null: none. Default null. */
  llmBaseUrl: url(),
  /** Its model. Default "gpt-4o-mini". */
  llmModel: text(/^[A-Za-z0-9_.:\/-]{1,128}$/, 'a model name'),
  /** The environment variable holding its API key. Default "OPENAI_API_KEY". */
  llmApiKeyEnv: envName(),
  /** Generate a still or a clip (shorts.generationKind) for each beat whose words match no tag (shorts.generationBaseUrl), filed as a tagged asset. Default false. */
  generate: flag(),
  /** What is generated: "image" (a still, POST <url>/v1/images/generations) or "video" (a clip, POST <url>/v1/videos/text2video). Default "image". */
  generationKind: oneOf(['image', 'video']),
  /** The length of a generated clip asked for (Kling's duration): 5 or 10 seconds. Default 5. */
  generationVideoSeconds: z.number({ error: '5 or 10' }).refine((v) => v === 5 || v === 10, { error: '5 or 10' }),
  /** A Kling-style generation service for stills and clips (POST <url>/v1/images/generations or <url>/v1/videos/text2video, then GET .../<task_id>); null: none. Default null. */
  generationBaseUrl: url(),
  /** Its model_name. Default "kling-v1". */
  generationModel: text(/^[A-Za-z0-9_.:\/-]{1,128}$/, 'a model name'),
  /** The environment variable holding its API key. Default "KLING_API_KEY". */
  generationApiKeyEnv: envName(),
  /** The first wait before polling a generation task, doubled up to 8 times as long. Default 2000. */
  generationPollMs: integer(1),
  /** The longest a generation task may take, polls included. Default 600000. */
  generationTimeoutMs: integer(100),
  /** The largest generated file downloaded. Default 20000000. */
  generationMaxBytes: integer(1024),
  /** Download a generated file from a private, loopback or link-local address on another origin than shorts.generationBaseUrl. Default false. */
  allowPrivateNetworks: flag(),
  /** The whole budget of one provider request. Default 60000. */
  providerTimeoutMs: integer(100),
  /** The largest provider answer read. Default 5000000. */
  providerMaxBytes: integer(1024),
  /** Tries per provider request (after a 429, a 5xx, a timeout). Default 3. */
  providerTries: integer(1, 20),
  /** The first retry's wait, doubled for each later one (Retry-After replaces it). Default 1000. */
  providerRetryBaseMs: integer(0),
  /** Failed requests in a row (after their retries) that open a provider's circuit breaker. Default 3. */
  breakerFailures: integer(1, 100),
  /** How long an open breaker leaves its provider alone. Default 300000. */
  breakerCooldownMs: integer(0),
});
