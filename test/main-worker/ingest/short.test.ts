// raw/short/<category>/<name>.mp3|wav|m4a: audio to make a short of, validated like speech and
// filed as <uuid>_<name> with its record (duration, the sidecar's transcript, target_seconds
// and style); the wrong content for the extension, a bad style, silence and too short audio are
// rejected with the reason.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestFile } from '../../../src/main-worker/ingest/index.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { classifyRaw } from '../../../src/shared/layout.js';
import { readJson } from '../../../src/shared/json.js';
import { FIXTURES } from '../../media.js';
import { ingestEnv } from './env.js';

test('classifyRaw: raw/short/<category>/<file> is a short; deeper is not', () => {
  assert.deepEqual(classifyRaw('short/city/a b.wav'), { kind: 'short', category: 'city', name: 'a b.wav' });
  assert.deepEqual(classifyRaw('short/city/a b.wav.json'), { kind: 'sidecar', of: 'short/city/a b.wav', name: 'a b.wav.json' });
  assert.ok('unexpected' in classifyRaw('short/city/x/a.wav'));
});

test('a short with its sidecar is filed with its record; bad ones are rejected naming the reason', async (t) => {
  const env = await ingestEnv(t, { shorts: { minSeconds: 1 } });
  const good = await env.raw('short/city/Voice über "1".mp3', (p) => FIXTURES.voice(p, 1.5));
  await writeFile(`${good.path}.json`, JSON.stringify({ transcript: 'Hello there.', target_seconds: 30, style: 'word', tags: ['Promo'] }));
  const r = await ingestFile(env.ctx, good);
  assert.equal(r.status, 'moved', env.log());
  const dir = env.layout.scannedShortDir('city');
  const filed = (await readdir(dir)).find((n) => n.endsWith('.mp3'))!;
  assert.match(filed, /^[0-9a-f-]{36}_Voice über "1"\.mp3$/);
  assert.deepEqual((await readdir(dir)).sort(), [filed, `${filed}.json`, `${filed}.sidecar.json`]);
  const rec = await readJson(AssetRecordSchema, join(dir, `${filed}.json`), 'IO');
  assert.deepEqual([rec.kind, rec.id, rec.raw_path, rec.transcript, rec.target_seconds, rec.style, rec.tags], ['short', `city/${filed}`, 'raw/short/city/Voice über "1".mp3', 'Hello there.', 30, 'word', ['promo']]);
  assert.ok(Math.abs(rec.duration! - 1.5) < 0.1);

  const cases: [string, (p: string) => Promise<unknown>, unknown, string, RegExp][] = [
    ['mp3 in a wav.wav', (p) => FIXTURES.voice(p, 1.5), null, 'WRONG_CODEC', /a \.wav short must hold PCM audio, this file holds mp3/],
    ['text.m4a', FIXTURES.text, null, 'PROBE_FAILED', /moov atom not found|Invalid data/],
    ['quiet.mp3', (p) => FIXTURES.silentMp3(p, 2), null, 'SILENT', /silent/],
    ['short.mp3', (p) => FIXTURES.voice(p, 0.5), null, 'TOO_SHORT', /shorts\.minSeconds/],
    ['styled.mp3', (p) => FIXTURES.voice(p, 1.5), { style: 'fancy' }, 'SIDECAR_INVALID', /style: one of "word", "line", "karaoke".*got "fancy"/],
    ['long target.mp3', (p) => FIXTURES.voice(p, 1.5), { target_seconds: 90 }, 'SIDECAR_INVALID', /target_seconds/],
    ['notes.txt', FIXTURES.text, null, 'RAW_UNSUPPORTED_TYPE', /\.mp3, \.wav or \.m4a/],
  ];
  for (const [name, make, sidecar, code, message] of cases) {
    const f = await env.raw(`short/city/${name}`, make);
    if (sidecar) await writeFile(`${f.path}.json`, JSON.stringify(sidecar));
    const out = await ingestFile(env.ctx, f);
    assert.equal(out.status, 'rejected', `${name}: ${JSON.stringify(out)}`);
    const reason = JSON.parse(await readFile(join(env.layout.trashInvalid, 'short/city', `${name}.reason.json`), 'utf8')) as { code: string; message: string };
    assert.equal(reason.code, code, `${name}: ${reason.message}`);
    assert.match(reason.message, message, name);
  }
});

test('the same name dropped twice (other bytes, then with a transcript) is two shorts, never a duplicate', async (t) => {
  const env = await ingestEnv(t, { shorts: { minSeconds: 1 } });
  const first = await env.raw('short/city/voiceover.mp3', (p) => FIXTURES.voice(p, 1.5));
  assert.equal((await ingestFile(env.ctx, first)).status, 'moved', env.log());
  const second = await env.raw('short/city/voiceover.mp3', (p) => FIXTURES.voice(p, 1.2));
  await writeFile(`${second.path}.json`, JSON.stringify({ transcript: 'Hello there.' }));
  assert.equal((await ingestFile(env.ctx, second)).status, 'moved', env.log());
  const dir = env.layout.scannedShortDir('city');
  const filed = (await readdir(dir)).filter((n) => n.endsWith('_voiceover.mp3')).sort();
  assert.equal(filed.length, 2);
  const records = await Promise.all(filed.map((n) => readJson(AssetRecordSchema, join(dir, `${n}.json`), 'IO')));
  assert.deepEqual(records.map((r) => r.transcript ?? null).sort(), ['Hello there.', null]);
});
