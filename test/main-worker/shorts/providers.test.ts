// The providers from the configuration: none by default; the llm planner's beats, or a warning
// (planned locally) when it fails or has no address; every configured breaker in the status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShortProviders } from '../../../src/main-worker/shorts/providers.js';
import { testConfig } from '../../helpers.js';
import { speak } from '../planners/speak.js';
import { fakeServer, json } from './fake-server.js';

test('ShortProviders: defaults, the llm beats, the fallback warnings', async (t) => {
  const words = speak('A red car. The sea.');
  const none = new ShortProviders(testConfig());
  assert.deepEqual(none.status(), []);
  assert.equal(await none.llmBeats('k', words, 3), null);
  assert.match(((await new ShortProviders(testConfig({ shorts: { planner: 'llm' } })).llmBeats('k', words, 3)) as { warning: string }).warning, /shorts\.llmBaseUrl is null: planned by the local planner/);
  const { url } = await fakeServer(t, [json(200, { choices: [{ message: { content: JSON.stringify({ beats: [{ start: 0, end: 3, description: 'car', visual_prompt: 'car', asset_type: 'any', transition: 'cut' }] }) } }] }), json(200, 'garbage')]);
  const p = new ShortProviders(testConfig({ shorts: { planner: 'llm', llmBaseUrl: url, transcriptionBaseUrl: url, providerTries: 1 } }), undefined, {});
  const ok = (await p.llmBeats('k', words, 3)) as { beats: unknown[] };
  assert.equal(ok.beats.length, 1);
  assert.match(((await p.llmBeats('k', words, 3)) as { warning: string }).warning, /^LLM planner: .*not JSON.*; planned by the local planner$/);
  assert.deepEqual(p.status().map((s) => s.provider), ['transcription', 'llm']);
});
