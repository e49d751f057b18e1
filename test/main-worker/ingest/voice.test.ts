// Voices (raw/story/<category>/<story>/voice/): MP3 speech of a sensible length that is not
// silence, moved as it is. Today's stable rules only: voice.ts is about to learn to re-encode
// voices whose header lies about their length.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateVoice } from '../../../src/main-worker/ingest/voice.js';
import { isClipmillError, type ErrorCode } from '../../../src/shared/errors.js';
import { FIXTURES } from '../../media.js';
import { ingestEnv } from './env.js';

const DIR = 'story/c/my story/voice';

function refused(code: ErrorCode, re: RegExp) {
  return (err: unknown) => {
    assert.ok(isClipmillError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match((err as Error).message, re);
    return true;
  };
}

test('refused: not .mp3, no audio, not MP3 audio, too short, silent', async (t) => {
  const env = await ingestEnv(t);
  const wav = await env.raw(`${DIR}/chapter_0001.wav`, FIXTURES.musicWav);
  await assert.rejects(validateVoice(env.ctx, wav, 'c', 'my story', 'chapter_0001.wav'), refused('RAW_UNSUPPORTED_TYPE', /^voice files must be \.mp3, got "\.wav"$/));
  const video = await env.raw(`${DIR}/chapter_0002.mp3`, (p) => FIXTURES.clip(p, 1));
  await assert.rejects(validateVoice(env.ctx, video, 'c', 'my story', 'chapter_0002.mp3'), refused('NO_AUDIO_STREAM', /^the file has no audio stream$/));
  const pcm = await env.raw(`${DIR}/chapter_0003.mp3`, FIXTURES.musicWav);
  await assert.rejects(validateVoice(env.ctx, pcm, 'c', 'my story', 'chapter_0003.mp3'), refused('WRONG_CODEC', /^voice files must be MP3 audio, this file holds pcm_s16le$/));
  const short = await env.raw(`${DIR}/chapter_0004.mp3`, (p) => FIXTURES.voice(p, 0.4));
  await assert.rejects(validateVoice(env.ctx, short, 'c', 'my story', 'chapter_0004.mp3'), refused('TOO_SHORT', /^the voice lasts 0\.\d\d s when decoded, less than ingest\.voiceMinSeconds \(1 s\)$/));
  const silent = await env.raw(`${DIR}/chapter_0005.mp3`, (p) => FIXTURES.silentMp3(p, 2));
  // Digital silence through LAME peaks near -91 dB (dither), or -Infinity.
  await assert.rejects(validateVoice(env.ctx, silent, 'c', 'my story', 'chapter_0005.mp3'), refused('SILENT', /^the voice is silent: its loudest sample is -(\d+(\.\d+)?|Infinity) dB, at or below ingest\.voiceSilenceDb \(-50 dB\)$/));
});

test('a good voice is moved as it is into its story', async (t) => {
  const env = await ingestEnv(t);
  const voice = await env.raw(`${DIR}/chapter_0001.mp3`, (p) => FIXTURES.voice(p, 2));
  const v = await validateVoice(env.ctx, voice, 'c', 'my story', 'chapter_0001.mp3');
  assert.deepEqual({ ...v, probe: null }, { kind: 'move', dest: join(env.layout.scanned, 'story/c/my story/voice/chapter_0001.mp3'), probe: null, facts: { id: 'c/my story/chapter_0001', duration: (v as { facts: { duration: number } }).facts.duration } });
  assert.equal((v.probe as { audio: { codec: string } }).audio.codec, 'mp3');
});
