// The providers of the shorts pipeline, made from the configuration, each behind its circuit
// breaker: speech to text (shorts.transcriptionBaseUrl) and the llm planner (shorts.planner
// "llm", shorts.llmBaseUrl). What the planner gets from the llm planner: its checked beats, or
// a warning saying why the short is planned locally instead.
import { errorMessage } from '../../shared/errors.js';
import type { Config } from '../../shared/config.js';
import type { Logger } from '../../shared/log.js';
import type { Word } from '../../shared/words.js';
import type { Beat } from '../planners/short-beats.js';
import { GenerationProvider, type GenerationKind } from './generation.js';
import { LlmPlanner } from './llm.js';
import { ProviderBreaker, type ProviderBreakerStatus } from './provider-breaker.js';
import { TranscriptionProvider } from './transcription.js';

export class ShortProviders {
  readonly transcription: { provider: TranscriptionProvider; breaker: ProviderBreaker } | null;
  readonly llm: { planner: LlmPlanner; breaker: ProviderBreaker } | null;
  /** Stills or clips (`kind`, shorts.generationKind) for beats that match nothing (shorts.generate and shorts.generationBaseUrl). */
  readonly generation: { provider: GenerationProvider; breaker: ProviderBreaker; kind: GenerationKind } | null;
  private readonly planner: Config['shorts']['planner'];

  constructor(config: Config, log?: Logger, env: NodeJS.ProcessEnv = process.env) {
    const c = config.shorts;
    const common = { timeoutMs: c.providerTimeoutMs, maxBytes: c.providerMaxBytes, tries: c.providerTries, retryBaseMs: c.providerRetryBaseMs };
    const breaker = (name: string) => new ProviderBreaker(name, c.breakerFailures, c.breakerCooldownMs);
    this.planner = c.planner;
    this.transcription = c.transcriptionBaseUrl ? { provider: new TranscriptionProvider({ baseUrl: c.transcriptionBaseUrl, model: c.transcriptionModel, apiKeyEnv: c.transcriptionApiKeyEnv, ...common }, log, env), breaker: breaker('transcription') } : null;
    this.generation =
      c.generate && c.generationBaseUrl
        ? { provider: new GenerationProvider({ baseUrl: c.generationBaseUrl, model: c.generationModel, apiKeyEnv: c.generationApiKeyEnv, pollMs: c.generationPollMs, taskTimeoutMs: c.generationTimeoutMs, maxBytes: c.generationMaxBytes, videoSeconds: c.generationVideoSeconds, timeoutMs: c.providerTimeoutMs, tries: c.providerTries, retryBaseMs: c.providerRetryBaseMs, allowPrivateNetworks: c.allowPrivateNetworks }, log, env), breaker: breaker('generation'), kind: c.generationKind }
        : null;
    this.llm = c.planner === 'llm' && c.llmBaseUrl ? { planner: new LlmPlanner({ baseUrl: c.llmBaseUrl, model: c.llmModel, apiKeyEnv: c.llmApiKeyEnv, ...common }, log, env), breaker: breaker('llm') } : null;
  }

  /** Each configured provider's breaker (the status file shows them). */
  status(): ProviderBreakerStatus[] {
    return [this.transcription?.breaker.status(), this.llm?.breaker.status(), this.generation?.breaker.status()].filter((s): s is ProviderBreakerStatus => !!s);
  }

  /**
   * The llm planner's beats for short `key`; null when the local planner is configured; a
   * warning when the llm planner is asked for but fails (a late, malformed or refused answer,
   * an open breaker) or has no shorts.llmBaseUrl: the short is then planned locally.
   */
  async llmBeats(key: string, words: readonly Word[], end: number, signal?: AbortSignal): Promise<{ beats: Beat[] } | { warning: string } | null> {
    if (this.planner !== 'llm') return null;
    const llm = this.llm;
    if (!llm) return { warning: 'shorts.planner is "llm" but shorts.llmBaseUrl is null: planned by the local planner' };
    try {
      return { beats: await llm.breaker.run(key, () => llm.planner.plan(words, end, key, signal), signal) };
    } catch (err) {
      if (signal?.aborted) throw err;
      return { warning: `LLM planner: ${errorMessage(err)}; planned by the local planner` };
    }
  }
}
