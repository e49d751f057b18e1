// The narration section of the configuration (schema.ts SECTIONS.narration): which provider
// voices text, and its voice and settings. docs/config.md says what each key does.
import { flag, integer, nullableText, number, oneOf, section, text } from './fields.js';

export const narrationSection = section('narration', {
  /** Who voices text: "espeak-ng" (local, offline) or "elevenlabs" (the HTTP API). Default "espeak-ng". */
  provider: oneOf(['espeak-ng', 'elevenlabs']),
  /** Texts voiced at once, on a queue of their own (ingest never waits for it). Default 1. */
  concurrency: integer(1, 32),
  /** A .txt narration longer than this is split into parts at paragraph boundaries. Default 400. */
  maxPartWords: integer(1),
  /** Voice every chunk of a crawled story into a chapter voice (voice-over tasks follow). Default false. */
  fromStories: flag(),
  /** Captions on voice-over videos whose voice has word timings: "line", "word", "karaoke" or "none". Default "line". */
  captionStyle: oneOf(['line', 'word', 'karaoke', 'none']),
  /** espeak-ng's voice (espeak-ng --voices lists them). Default "en". */
  espeakVoice: text(/^[A-Za-z0-9_+\/-]{1,64}$/, 'an espeak-ng voice name such as "en" or "en-us+f3"'),
  /** espeak-ng's speed in words per minute. Default 165. */
  espeakRate: integer(80, 500),
  /** espeak-ng's pitch, 0 to 99. Default 50. */
  espeakPitch: integer(0, 99),
  /** The ElevenLabs API's address (a test server's in tests). Default "https://api.elevenlabs.io". */
  elevenlabsBaseUrl: text(/^https?:\/\/[^\s]+$/, 'an http(s) URL'),
  /** The ElevenLabs voice id; null: none (the provider then refuses to run). Default null. */
  elevenlabsVoiceId: text(/^[A-Za-z0-9_-]{1,64}$/, 'a voice id of letters, digits, dashes and underscores, or null').nullable(),
  /** The ElevenLabs model. Default "eleven_multilingual_v2". */
  elevenlabsModel: text(/^[A-Za-z0-9_.-]{1,64}$/, 'a model id such as "eleven_multilingual_v2"'),
  /** voice_settings.stability. Default 0.5. */
  elevenlabsStability: number(0, 1),
  /** voice_settings.similarity_boost. Default 0.75. */
  elevenlabsSimilarity: number(0, 1),
  /** voice_settings.style. Default 0. */
  elevenlabsStyle: number(0, 1),
  /** voice_settings.use_speaker_boost. Default true. */
  elevenlabsSpeakerBoost: flag(),
  /** The environment variable holding the API key. Default "ELEVENLABS_API_KEY". */
  elevenlabsApiKeyEnv: text(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  /** A file holding the API key, used when the variable is unset; null: none. Default null. */
  elevenlabsApiKeyFile: nullableText(),
  /** The longest text sent in one request; longer texts are split at sentence ends. Default 5000. */
  elevenlabsMaxChars: integer(100, 40000),
  /** The whole budget of one request. Default 120000. */
  elevenlabsTimeoutMs: integer(100),
  /** Tries per request (after a 429, a 5xx, a timeout or a broken answer). Default 4. */
  elevenlabsTries: integer(1, 20),
  /** The first retry's wait, doubled for each later one (Retry-After replaces it). Default 1000. */
  elevenlabsRetryBaseMs: integer(0),
});
