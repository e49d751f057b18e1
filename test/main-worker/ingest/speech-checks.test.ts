// The speech checks voices and shorts share, on real tiny MP3s: the decoded length within the
// limits, silence refused, the header's length refused early past headerMax; each error names
// the configuration key of its limit.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MainContext } from '../../../src/main-worker/context.js';
import { checkSpeech, type SpeechLimits } from '../../../src/main-worker/ingest/speech-checks.js';
import type { ClipmillError } from '../../../src/shared/errors.js';
import { FIXTURES } from '../../media.js';
import { binaries, tempDir } from '../../helpers.js';

const LIMITS: SpeechLimits = { what: 'the audio', min: 1, max: 3, silenceDb: -60, headerMax: 6, keys: { min: 'shorts.minSeconds', max: 'shorts.maxSeconds', silenceDb: 'ingest.voiceSilenceDb' } };

test('checkSpeech: the decoded seconds; too short, too long, silent and a header far too long refused naming the key', async (t) => {
  const dir = await tempDir(t);
  const ctx = { bins: await binaries() } as unknown as MainContext;
  const tone = join(dir, 'tone.mp3');
  await FIXTURES.voice(tone, 1.5);
  const seconds = await checkSpeech(ctx, tone, { duration: 1.5, probe: {} }, LIMITS);
  assert.ok(Math.abs(seconds - 1.5) < 0.1, String(seconds));
  const refused = async (path: string, header: number, limits: SpeechLimits, code: string, message: RegExp) =>
    assert.rejects(checkSpeech(ctx, path, { duration: header, probe: {} }, limits), (e: ClipmillError) => e.code === code && message.test(e.message));
  await refused(tone, 1.5, { ...LIMITS, min: 2 }, 'TOO_SHORT', /^the audio lasts 1\.\d\d s when decoded, less than shorts\.minSeconds \(2 s\)$/);
  await refused(tone, 1.5, { ...LIMITS, max: 1 }, 'TOO_LONG', /when decoded, more than shorts\.maxSeconds \(1 s\)/);
  await refused(tone, 7, LIMITS, 'TOO_LONG', /^the audio lasts 7\.0 s, more than shorts\.maxSeconds \(3 s\)$/);
  const quiet = join(dir, 'quiet.mp3');
  await FIXTURES.silentMp3(quiet, 1.5);
  await refused(quiet, 1.5, LIMITS, 'SILENT', /^the audio is silent: .* at or below ingest\.voiceSilenceDb \(-60 dB\)$/);
});
