// Music (raw/music/): any audio FFmpeg decodes, long enough and not silent, kept as an
// original to be loudness-normalized, with the first loudnorm pass's measurement.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loudnessTarget, validateMusic } from '../../../src/main-worker/ingest/music.js';
import { isClipmillError, type ErrorCode } from '../../../src/shared/errors.js';
import { stableUuid } from '../../../src/shared/ids.js';
import { FIXTURES } from '../../media.js';
import { ingestEnv } from './env.js';

function refused(code: ErrorCode, re: RegExp) {
  return (err: unknown) => {
    assert.ok(isClipmillError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match((err as Error).message, re);
    return true;
  };
}

test('loudnessTarget: ingest.musicLoudnessLufs, musicTruePeakDb and musicLra', async (t) => {
  const env = await ingestEnv(t, { ingest: { musicLoudnessLufs: -14, musicTruePeakDb: -1, musicLra: 7 } });
  assert.deepEqual(loudnessTarget(env.ctx), { lufs: -14, truePeak: -1, lra: 7 });
});

test('refused: an extension not taken, not media, no audio, too short, silent', async (t) => {
  const env = await ingestEnv(t, { ingest: { musicMinSeconds: 5 } });
  const midi = await env.raw('music/c/tune.mid', FIXTURES.text);
  await assert.rejects(validateMusic(env.ctx, midi, 'c', 'tune.mid'), refused('RAW_UNSUPPORTED_TYPE', /^music files must be one of \.mp3 \.wav \.flac \.m4a \.aac \.ogg \.oga \.opus, got "\.mid"$/));
  const text = await env.raw('music/c/text.mp3', FIXTURES.text);
  await assert.rejects(validateMusic(env.ctx, text, 'c', 'text.mp3'), refused('PROBE_FAILED', /./));
  const video = await env.raw('music/c/video.m4a', (p) => FIXTURES.clip(p, 1));
  await assert.rejects(validateMusic(env.ctx, video, 'c', 'video.m4a'), refused('NO_AUDIO_STREAM', /^the file has no audio stream$/));
  const jingle = await env.raw('music/c/jingle.mp3', (p) => FIXTURES.musicMp3(p, 2));
  await assert.rejects(validateMusic(env.ctx, jingle, 'c', 'jingle.mp3'), refused('TOO_SHORT', /^the track lasts 2\.\d\d s when decoded, less than ingest\.musicMinSeconds \(5 s\)$/));
  const silence = await env.raw('music/c/silence.mp3', (p) => FIXTURES.silentMp3(p, 6));
  await assert.rejects(validateMusic(env.ctx, silence, 'c', 'silence.mp3'), refused('SILENT', /^the track is silent \(integrated loudness -Infinity LUFS\)$/));
});

test('a good track is kept as an original to normalize, with its measured loudness', async (t) => {
  const env = await ingestEnv(t);
  const wav = await env.raw('music/c/Quiet Bed.WAV', FIXTURES.musicWav);
  const v = await validateMusic(env.ctx, wav, 'c', 'Quiet Bed.WAV');
  const id = stableUuid('clipmill-raw', wav.rel, String(wav.size), String(wav.mtimeMs));
  assert.equal(v.kind, 'convert');
  if (v.kind !== 'convert') return;
  assert.equal(v.original, join(env.layout.scanned, `music/c/original/${id}.wav`));
  const loudness = v.extra.loudness!;
  assert.ok(loudness.inputI < -20 && loudness.inputI > -40, `a quiet track: ${loudness.inputI} LUFS`);
  assert.ok([loudness.inputTp, loudness.inputLra, loudness.inputThresh, loudness.targetOffset].every(Number.isFinite));
  assert.equal(v.why, `loudness ${loudness.inputI.toFixed(1)} LUFS → -16 LUFS`);
  assert.deepEqual((v.probe as { audio: unknown }).audio, { codec: 'pcm_s16le', sample_rate: 44100, channels: 1 });
});
