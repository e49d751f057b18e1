// The ElevenLabs provider against a local server that speaks the documented API
// (POST /v1/text-to-speech/{voice_id}/with-timestamps): a real MP3 made by ffmpeg, a character
// alignment, and its failure modes (429 with Retry-After, 500, a hang, a body cut short, 401).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { ElevenLabsProvider, splitForLimit, type ElevenLabsSettings } from '../../../src/main-worker/narrate/elevenlabs.js';
import { decodePcm, largestStep } from '../../../src/main-worker/narrate/pcm.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import { binaries, tempDir } from '../../helpers.js';

const KEY = 'sk_test_secret_0123456789';

/** A real MP3 of `seconds`: a loud tone (7/8 of full scale, unclipped), so that a raw join of two would click. Made once per length and tone: a fake answer is then immediate, whatever the machine's load. */
const made = new Map<string, Promise<Buffer>>();
function mp3(seconds: number, freq = 440): Promise<Buffer> {
  const key = `${seconds}:${freq}`;
  if (!made.has(key)) made.set(key, makeMp3(seconds, freq));
  return made.get(key)!;
}

async function makeMp3(seconds: number, freq: number): Promise<Buffer> {
  const { ffmpeg } = await binaries();
  // Into a file, not a pipe: the LAME header (written last, at the start) tells decoders the
  // encoder's delay and padding, so the voice decodes to exactly its length.
  const dir = await mkdtemp(join(tmpdir(), 'clipmill-xi-'));
  try {
    await execa(ffmpeg.path, ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', `sine=f=${freq}:d=${seconds}:sample_rate=44100`, '-af', 'volume=7', '-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3', join(dir, 'a.mp3')]);
    return await readFile(join(dir, 'a.mp3'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The answer the API gives: the audio and one start/end per character, spread evenly. */
function answer(text: string, audio: Buffer, seconds: number) {
  const chars = [...text];
  const step = seconds / chars.length;
  return {
    audio_base64: audio.toString('base64'),
    alignment: { characters: chars, character_start_times_seconds: chars.map((_, i) => i * step), character_end_times_seconds: chars.map((_, i) => (i + 1) * step) },
    normalized_alignment: null,
  };
}

interface Seen {
  url: string;
  key: string | undefined;
  body: { text: string; model_id: string; voice_settings: Record<string, unknown> };
  at: number;
}
type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Seen['body']) => void | Promise<void>;

/** A fake API: each request takes the next behaviour (the last one repeats). */
async function fakeApi(t: { after(fn: () => unknown): void }, behaviours: Behaviour[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Seen['body'];
      seen.push({ url: req.url ?? '', key: req.headers['xi-api-key'] as string | undefined, body, at: Date.now() });
      const b = behaviours[Math.min(seen.length - 1, behaviours.length - 1)]!;
      void b(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** Answers with a real voice lasting 0.4 s per word. */
const ok: Behaviour = async (_req, res, body) => {
  const seconds = 0.4 * body.text.split(/\s+/).filter(Boolean).length;
  const json = JSON.stringify(answer(body.text, await mp3(seconds), seconds));
  res.writeHead(200, { 'content-type': 'application/json' }).end(json);
};
const status = (code: number, headers: Record<string, string> = {}): Behaviour => (_req, res) => void res.writeHead(code, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ detail: { status: 'error', message: `status ${code}` } }));

function settings(baseUrl: string, over: Partial<ElevenLabsSettings> = {}): ElevenLabsSettings {
  return { baseUrl, voiceId: 'voice_1', model: 'eleven_multilingual_v2', stability: 0.4, similarity: 0.8, style: 0.1, speakerBoost: true, apiKeyEnv: 'XI_KEY_FOR_TEST', apiKeyFile: null, maxChars: 5000, timeoutMs: 5000, tries: 3, retryBaseMs: 10, ...over };
}

async function provider(t: { after(fn: () => unknown): void }, behaviours: Behaviour[], over: Partial<ElevenLabsSettings> = {}, env: NodeJS.ProcessEnv = { XI_KEY_FOR_TEST: KEY }) {
  const api = await fakeApi(t, behaviours);
  const logs: string[] = [];
  const log = { warn: (o: unknown, m: string) => logs.push(`${JSON.stringify(o)} ${m}`) } as never;
  const { ffmpeg } = await binaries();
  return { api, logs, p: new ElevenLabsProvider(settings(api.url, over), { ffmpeg: ffmpeg.path }, log, env) };
}

const TEXT = 'The quick brown fox jumps over the lazy dog.';

test('elevenlabs: the documented request, a real MP3 and words from the character alignment', async (t) => {
  const dir = await tempDir(t);
  const { api, p } = await provider(t, [ok]);
  const out = join(dir, 'v.mp3');
  const r = await p.synthesize(TEXT, { out, workDir: join(dir, 'w') });
  assert.equal(api.seen.length, 1);
  assert.equal(api.seen[0]!.url, '/v1/text-to-speech/voice_1/with-timestamps?output_format=mp3_44100_128');
  assert.equal(api.seen[0]!.key, KEY);
  assert.equal(api.seen[0]!.body.text, TEXT);
  assert.equal(api.seen[0]!.body.model_id, 'eleven_multilingual_v2');
  assert.deepEqual(api.seen[0]!.body.voice_settings, { stability: 0.4, similarity_boost: 0.8, style: 0.1, use_speaker_boost: true });
  assert.deepEqual(r.words.map((w) => w.word), TEXT.split(' '));
  // 44 characters over 3.6 s: "The" is characters 0-2, "quick" 4-8.
  const step = 3.6 / TEXT.length;
  assert.ok(Math.abs(r.words[1]!.start - 4 * step) < 0.002 && Math.abs(r.words[1]!.end - 9 * step) < 0.002, JSON.stringify(r.words[1]));
  assert.ok(Math.abs(r.duration - 3.6) < 0.05, `duration ${r.duration}`);
  const { ffmpeg } = await binaries();
  const pcm = await decodePcm(ffmpeg.path, out, join(dir, 'check.pcm'), 44100);
  assert.ok(Math.abs(pcm.samples.length / 44100 - 3.6) < 0.06);
});

test('elevenlabs: 429 waits for Retry-After, 500 and a hang are retried, a body cut short is retried', async (t) => {
  const dir = await tempDir(t);
  const hang: Behaviour = () => {}; // never answers: the request's timeout ends it
  const truncated: Behaviour = async (_req, res, body) => {
    const json = JSON.stringify(answer(body.text, await mp3(3.6), 3.6));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(json.length) });
    res.write(json.slice(0, Math.floor(json.length / 2)));
    res.destroy();
  };
  // The answers' voice made beforehand: only the hang may run into the request timeout.
  await Promise.all([mp3(3.6), mp3(0.4 * TEXT.split(/\s+/).filter(Boolean).length)]);
  const { api, p, logs } = await provider(t, [status(429, { 'retry-after': '1' }), status(500), hang, truncated, ok], { tries: 5, timeoutMs: 1500 });
  const r = await p.synthesize(TEXT, { out: join(dir, 'v.mp3'), workDir: join(dir, 'w') });
  assert.equal(r.words.length, 9);
  assert.equal(api.seen.length, 5);
  // Retry-After: 1 replaced the 10 ms computed wait.
  assert.ok(api.seen[1]!.at - api.seen[0]!.at >= 950, `waited ${api.seen[1]!.at - api.seen[0]!.at} ms after the 429`);
  assert.equal(logs.length, 4);
  assert.match(logs[0]!, /HTTP 429/);
  assert.match(logs[1]!, /HTTP 500/);
  assert.match(logs[2]!, /no whole answer within 1500 ms/);
  assert.match(logs[3]!, /NARRATION_UNAVAILABLE/);
  for (const l of logs) assert.ok(!l.includes(KEY), 'the key is never logged');
});

test('elevenlabs: failures that persist, a refusal, no key, and a voice of the wrong length', async (t) => {
  const dir = await tempDir(t);
  const opts = { out: join(dir, 'v.mp3'), workDir: join(dir, 'w') };
  const down = await provider(t, [status(503)], { tries: 2 });
  await assert.rejects(down.p.synthesize(TEXT, opts), (e: ClipmillError) => e.code === 'NARRATION_UNAVAILABLE' && /HTTP 503/.test(e.message));
  assert.equal(down.api.seen.length, 2);

  const refused = await provider(t, [status(401)]);
  await assert.rejects(refused.p.synthesize(TEXT, opts), (e: ClipmillError) => e.code === 'NARRATION_REJECTED' && /HTTP 401/.test(e.message) && !e.message.includes(KEY));
  assert.equal(refused.api.seen.length, 1, 'a 4xx other than 429 is not retried');

  const noKey = await provider(t, [ok], {}, {});
  await assert.rejects(noKey.p.synthesize(TEXT, opts), (e: ClipmillError) => e.code === 'NARRATION_CONFIG' && /XI_KEY_FOR_TEST/.test(e.message));
  assert.equal(noKey.api.seen.length, 0);

  // The key from a file when the variable is unset.
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'key'), `${KEY}\n`);
  const fromFile = await provider(t, [ok], { apiKeyFile: join(dir, 'key') }, {});
  await fromFile.p.synthesize('One two three.', opts);
  assert.equal(fromFile.api.seen[0]!.key, KEY);

  // 0.1 s for nine words: too fast to be speech; 20 s: too slow.
  const short: Behaviour = async (_req, res, body) => void res.writeHead(200).end(JSON.stringify(answer(body.text, await mp3(0.1), 0.1)));
  const rushed = await provider(t, [short], { tries: 2 });
  await assert.rejects(rushed.p.synthesize(TEXT, opts), (e: ClipmillError) => e.code === 'NARRATION_INVALID' && /per word/.test(e.message));
  assert.equal(rushed.api.seen.length, 2, 'an invalid voice is asked for again');

  const notAudio: Behaviour = (_req, res, body) => void res.writeHead(200).end(JSON.stringify({ ...answer(body.text, Buffer.from('not an mp3 at all'), 3), audio_base64: Buffer.from('not an mp3 at all').toString('base64') }));
  const garbled = await provider(t, [notAudio], { tries: 1 });
  await assert.rejects(garbled.p.synthesize(TEXT, opts), (e: ClipmillError) => e.code === 'NARRATION_UNAVAILABLE' && /does not decode/.test(e.message));
});

test('elevenlabs: a text over the limit is sent at sentence ends and joined without a click', async (t) => {
  const dir = await tempDir(t);
  const text = 'First sentence is here now. Second sentence follows it closely. And the third one ends the text.';
  assert.deepEqual(splitForLimit(text, 40), ['First sentence is here now.', 'Second sentence follows it closely.', 'And the third one ends the text.']);
  assert.deepEqual(splitForLimit('one two three four five six', 9), ['one two', 'three', 'four five', 'six']);
  // Each piece a loud tone of another frequency that starts at 0 and ends at its peak (a quarter
  // period past whole cycles): joined as they are, each join would step from the peak to 0.
  let n = 0;
  const tones: Behaviour = async (_req, res, body) => {
    const freq = [441, 525, 630][n++ % 3]!;
    const seconds = 0.4 * body.text.split(/\s+/).length + 0.25 / freq;
    const audio = await mp3(seconds, freq);
    res.writeHead(200).end(JSON.stringify(answer(body.text, audio, seconds)));
  };
  const { api, p } = await provider(t, [tones], { maxChars: 40 });
  const out = join(dir, 'joined.mp3');
  const r = await p.synthesize(text, { out, workDir: join(dir, 'w') });
  assert.equal(api.seen.length, 3);
  assert.deepEqual(r.words.map((w) => w.word), text.split(' '));
  for (let i = 1; i < r.words.length; i++) assert.ok(r.words[i]!.start >= r.words[i - 1]!.end - 1e-9, 'words in order across pieces');
  const { ffmpeg } = await binaries();
  const pcm = await decodePcm(ffmpeg.path, out, join(dir, 'check.pcm'), 44100);
  // The joins: where the second and third pieces' first words start (their alignment starts at 0).
  const joins = [r.words[5]!.start, r.words[10]!.start].map((s) => Math.round(s * 44100));
  const window = 441; // 10 ms each side of a join
  let elsewhere = 0;
  let last = 0;
  for (const j of joins) {
    elsewhere = Math.max(elsewhere, largestStep(pcm.samples, last, j - window));
    last = j + window;
  }
  elsewhere = Math.max(elsewhere, largestStep(pcm.samples, last));
  for (const j of joins) {
    const atJoin = largestStep(pcm.samples, j - window, j + window);
    assert.ok(atJoin <= elsewhere, `the step at the join at ${(j / 44100).toFixed(3)} s (${atJoin}) is larger than anywhere else (${elsewhere})`);
  }
});
