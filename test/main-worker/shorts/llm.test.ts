// The llm planner against a local server speaking POST /v1/chat/completions: a good plan
// becomes checked beats (keywords from the words, the description and the prompt); a malformed
// answer, a plan off its schema, beats that do not cover the short and a late answer are errors
// (the caller then plans locally).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLlmPlan, LlmPlanner, type LlmPlan } from '../../../src/main-worker/shorts/llm.js';
import type { ClipmillError } from '../../../src/shared/errors.js';
import { speak } from '../planners/speak.js';
import { fakeServer, hang, json } from './fake-server.js';

const WORDS = speak('I saw a red car today. The sea at night was calm.');
const END = 5;
const plan = (beats: unknown[]) => ({ beats }) as LlmPlan;
const good = plan([
  { start: 0, end: 2.4, description: 'a red car', visual_prompt: 'red car on a street', asset_type: 'still', transition: 'fade' },
  { start: 2.4, end: 5, description: 'the sea at night', visual_prompt: 'dark sea, moon', asset_type: 'footage', transition: 'dissolve' },
]);
const chat = (content: string) => json(200, { choices: [{ message: { role: 'assistant', content } }] });

test('checkLlmPlan: beats cover the short in order, 2 to 6 s each', () => {
  const beats = checkLlmPlan(good, WORDS, END, 'k');
  assert.deepEqual(beats.map((b) => [b.start, b.end, b.assetType, b.transition]), [[0, 2.4, 'still', 'fade'], [2.4, 5, 'footage', 'dissolve']]);
  assert.ok(beats[1]!.keywords.includes('moon') && beats[1]!.keywords.includes('sea'));
  assert.throws(() => checkLlmPlan(plan([{ ...good.beats[0] as object }, { ...(good.beats[1] as object), start: 3 }]) , WORDS, END, 'k'), /beats\[1\]\.start is 3/);
  assert.throws(() => checkLlmPlan(plan([{ ...(good.beats[0] as object), end: 5 }]) , WORDS, 9, 'k'), /last beat ends at 5/);
  assert.throws(() => checkLlmPlan(plan([{ ...(good.beats[0] as object), end: 1 }, { ...(good.beats[1] as object), start: 1 }]) , WORDS, END, 'k'), /lasts 1 s/);
});

test('LlmPlanner: the request; a good plan; malformed, off-schema and late answers are errors', async (t) => {
  const { url, seen } = await fakeServer(t, [chat('```json\n' + JSON.stringify(good) + '\n```'), chat('{"beats": [oops'), chat(JSON.stringify(plan([{ start: 0, end: 5, description: 'x' }]))), json(200, { nope: 1 }), hang]);
  const settings = { baseUrl: url, model: 'm1', apiKeyEnv: 'K', timeoutMs: 30_000, maxBytes: 100_000, tries: 1, retryBaseMs: 1 };
  const p = new LlmPlanner(settings, undefined, { K: 'sk-llm' });
  const beats = await p.plan(WORDS, END, 'short/c/a.wav');
  assert.equal(beats.length, 2);
  const sent = JSON.parse(seen[0]!.body) as { model: string; messages: { role: string; content: string }[] };
  assert.equal(seen[0]!.path, '/v1/chat/completions');
  assert.equal(seen[0]!.auth, 'Bearer sk-llm');
  assert.equal(sent.model, 'm1');
  assert.match(sent.messages[0]!.content, /"beats"/);
  assert.equal((JSON.parse(sent.messages[1]!.content) as { words: unknown[] }).words.length, WORDS.length);
  // Why an answer is refused, never what it said.
  for (const expected of [/content is not a JSON object \(\d+ bytes\)/, /fails its schema: beats\.0\.\w+/, /not a chat completion/]) {
    await assert.rejects(p.plan(WORDS, END, 'x'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && expected.test(err.message) && !err.message.includes('oops'));
  }
  // Only the hanging answer meets a short timeout.
  const impatient = new LlmPlanner({ ...settings, timeoutMs: 300 }, undefined, { K: 'sk-llm' });
  await assert.rejects(impatient.plan(WORDS, END, 'x'), (err: ClipmillError) => err.code === 'PROVIDER_UNAVAILABLE' && /no whole answer within 300 ms/.test(err.message));
});
