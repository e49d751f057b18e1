// The transcription provider against a local server speaking POST /v1/audio/transcriptions:
// multipart with the file, the model and word timestamps; the words get the text's punctuation;
// a 500 is retried, a malformed answer is PROVIDER_INVALID, a 401 is not retried.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { punctuate, TranscriptionProvider } from '../../../src/main-worker/shorts/transcription.js';
import type { ClipmillError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers.js';
import { fakeServer, json } from './fake-server.js';

const TIMES: [string, number][] = [['I', 0.1], ['saw', 0.3], ['a', 0.6], ['red', 0.8], ['car', 1.1], ['The', 2], ['sea', 2.3], ['at', 2.7], ['night', 2.9]];
const ANSWER = { text: 'I saw a red car. The sea, at night!', words: TIMES.map(([word, start]) => ({ word, start, end: Math.round((start + 0.2) * 1000) / 1000 })) };

test('punctuate: the text\'s forms, in order; words it lacks kept as they are', () => {
  assert.deepEqual(punctuate(ANSWER.words, ANSWER.text).map((w) => w.word), ['I', 'saw', 'a', 'red', 'car.', 'The', 'sea,', 'at', 'night!']);
  assert.deepEqual(punctuate([{ word: ' uh ', start: 0, end: 0.1 }, { word: 'hello', start: 0.2, end: 0.4 }], 'Hello.').map((w) => w.word), ['uh', 'Hello.']);
});

test('TranscriptionProvider: the request, a retried 500, the words; malformed and refused answers', async (t) => {
  const dir = await tempDir(t);
  const audio = join(dir, 'a b.wav');
  await writeFile(audio, 'RIFF-not-really-audio');
  const { url, seen } = await fakeServer(t, [json(500, 'oops'), json(200, ANSWER), json(200, { text: 'x' }), json(200, '{"text": "cut'), json(401, 'bad key')]);
  const p = new TranscriptionProvider({ baseUrl: `${url}/`, model: 'whisper-1', apiKeyEnv: 'K', timeoutMs: 2000, maxBytes: 100_000, tries: 2, retryBaseMs: 1 }, undefined, { K: 'sk-secret' });
  const words = await p.transcribe(audio, 'scanned/short/c/a b.wav');
  assert.equal(words.source, 'transcription');
  assert.deepEqual(words.words.slice(3, 5), [{ word: 'red', start: 0.8, end: 1 }, { word: 'car.', start: 1.1, end: 1.3 }]);
  assert.equal(seen.length, 2);
  assert.equal(seen[1]!.path, '/v1/audio/transcriptions');
  assert.equal(seen[1]!.auth, 'Bearer sk-secret');
  assert.match(seen[1]!.contentType!, /^multipart\/form-data/);
  for (const part of ['name="model"', 'whisper-1', 'name="timestamp_granularities[]"', 'word', 'verbose_json', 'filename="a b.wav"', 'RIFF-not-really-audio']) assert.ok(seen[1]!.body.includes(part), part);
  for (const expected of [/no text and word timestamps/, /not JSON/]) await assert.rejects(p.transcribe(audio, 'x'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && expected.test(err.message));
  const before = seen.length;
  await assert.rejects(p.transcribe(audio, 'x'), (err: ClipmillError) => err.code === 'PROVIDER_REJECTED' && !err.message.includes('sk-secret'));
  assert.equal(seen.length, before + 1, 'a 401 is not retried');
});
