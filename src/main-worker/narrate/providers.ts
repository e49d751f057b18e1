// The provider narration.provider names, built from the configuration.
import type { Config } from '../../shared/config/schema.js';
import type { Logger } from '../../shared/log.js';
import { ElevenLabsProvider } from './elevenlabs.js';
import { EspeakProvider } from './espeak-ng.js';
import type { NarrationProvider } from './provider.js';

export interface ProviderOverrides {
  provider?: Config['narration']['provider'];
  /** The voice: espeak-ng's voice name or the ElevenLabs voice id. */
  voice?: string;
}

export function createProvider(config: Config, bins: { ffmpeg: string }, log?: Logger, over: ProviderOverrides = {}, env: NodeJS.ProcessEnv = process.env): NarrationProvider {
  const n = config.narration;
  const which = over.provider ?? n.provider;
  if (which === 'elevenlabs') {
    return new ElevenLabsProvider(
      {
        baseUrl: n.elevenlabsBaseUrl,
        voiceId: over.voice ?? n.elevenlabsVoiceId,
        model: n.elevenlabsModel,
        stability: n.elevenlabsStability,
        similarity: n.elevenlabsSimilarity,
        style: n.elevenlabsStyle,
        speakerBoost: n.elevenlabsSpeakerBoost,
        apiKeyEnv: n.elevenlabsApiKeyEnv,
        apiKeyFile: n.elevenlabsApiKeyFile,
        maxChars: n.elevenlabsMaxChars,
        timeoutMs: n.elevenlabsTimeoutMs,
        tries: n.elevenlabsTries,
        retryBaseMs: n.elevenlabsRetryBaseMs,
      },
      bins,
      log,
      env,
    );
  }
  return new EspeakProvider({ voice: over.voice ?? n.espeakVoice, rate: n.espeakRate, pitch: n.espeakPitch }, bins);
}
