import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ElevenLabsProvider } from '../../../src/main-worker/narrate/elevenlabs.js';
import { EspeakProvider } from '../../../src/main-worker/narrate/espeak-ng.js';
import { createProvider } from '../../../src/main-worker/narrate/providers.js';
import { testConfig } from '../../helpers.js';

test('providers: narration.provider picks the provider; --provider and --voice override it; no secret in the settings', () => {
  const config = testConfig({ narration: { espeakVoice: 'en-us', espeakRate: 150 } });
  const e = createProvider(config, { ffmpeg: 'ffmpeg' });
  assert.ok(e instanceof EspeakProvider);
  assert.deepEqual(e.settings, { voice: 'en-us', rate: 150, pitch: 50, wordGap: 0 });
  assert.equal(createProvider(config, { ffmpeg: 'ffmpeg' }, undefined, { voice: 'de' }).settings.voice, 'de');
  const x = createProvider(testConfig({ narration: { provider: 'elevenlabs', elevenlabsVoiceId: 'v1' } }), { ffmpeg: 'ffmpeg' }, undefined, {}, { ELEVENLABS_API_KEY: 'secret' });
  assert.ok(x instanceof ElevenLabsProvider);
  assert.equal(x.settings.voice, 'v1');
  assert.ok(!JSON.stringify(x.settings).includes('secret'));
  assert.ok(createProvider(config, { ffmpeg: 'ffmpeg' }, undefined, { provider: 'elevenlabs', voice: 'v2' }) instanceof ElevenLabsProvider);
});
