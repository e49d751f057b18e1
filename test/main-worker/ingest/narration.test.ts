// Recorded narration parts (raw/narration/<category>/<campaign>/part_<NNNN>[_<k>].mp3): validated
// like voices, filed under the same names with their record; assets for jobs, never voice-overs.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src/shared/catalog.js';
import { MainWorker } from '../../../src/main-worker/index.js';
import { convertOriginal } from '../../../src/main-worker/ingest/convert.js';
import { ingestFile } from '../../../src/main-worker/ingest/index.js';
import { validateNarrationPart } from '../../../src/main-worker/ingest/narration.js';
import { recover } from '../../../src/main-worker/recover.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { isClipmillError } from '../../../src/shared/errors.js';
import { readJson } from '../../../src/shared/json.js';
import { FIXTURES } from '../../media.js';
import { ingestEnv } from './env.js';

const DIR = 'narration/cars/spring sale';

test('parts and takes are filed under scanned/narration/<category>/<campaign>/ with the same names; they make no voice-over task', async (t) => {
  const env = await ingestEnv(t, { ingest: { stableMs: 0 } });
  await env.raw(`${DIR}/part_0001.mp3`, (p) => FIXTURES.voice(p, 1.5));
  await env.raw(`${DIR}/part_0001_2.mp3`, (p) => FIXTURES.voice(p, 2));
  const two = await env.raw(`${DIR}/part_0002.mp3`, (p) => FIXTURES.voice(p, 1.2));
  await writeFile(`${two.path}.json`, JSON.stringify({ transcript: 'Drive into spring.', tags: ['Spring'] }));
  // (Its transcript is aligned into part_0002.mp3.words.json by the narration queue.)
  // Footage and music of the same category are there: a voice would be planned, a narration part is not.
  await env.raw('video/cars/clip.mp4', (p) => FIXTURES.clip(p, 2));
  await env.raw('music/cars/track.mp3', (p) => FIXTURES.musicMp3(p, 6));
  const worker = new MainWorker(env.ctx);
  const totals = await worker.runOnce();
  assert.equal(totals.errors + totals.rejected, 0, env.log());
  assert.equal(totals.tasksCreated, 0, 'narration parts never make voice-over tasks');
  const dir = env.layout.scannedNarrationDir('cars', 'spring sale');
  assert.deepEqual((await readdir(dir)).sort(), ['part_0001.mp3', 'part_0001.mp3.json', 'part_0001_2.mp3', 'part_0001_2.mp3.json', 'part_0002.mp3', 'part_0002.mp3.json', 'part_0002.mp3.sidecar.json', 'part_0002.mp3.words.json']);
  const rec = await readJson(AssetRecordSchema, join(dir, 'part_0001_2.mp3.json'), 'IO');
  assert.deepEqual([rec.kind, rec.id, rec.category, rec.campaign, rec.part, rec.take], ['narration', 'cars/spring sale/part_0001_2', 'cars', 'spring sale', 1, 2]);
  assert.ok(Math.abs(rec.duration! - 2) < 0.1, String(rec.duration));
  const catalog = await Catalog.load(env.layout);
  assert.deepEqual(catalog.voiceList(), []);
  const parts = catalog.narration('cars', 'spring sale');
  assert.deepEqual([...parts].map(([n, takes]) => [n, takes.map((p) => p.take)]), [[1, [1, 2]], [2, [1]]]);
  assert.deepEqual([parts.get(2)![0]!.transcript, parts.get(2)![0]!.tags], ['Drive into spring.', ['spring']]);
});

test('refused: names that are not part_<NNNN>[_<k>].mp3; a part whose header lies is re-encoded with its record', async (t) => {
  const env = await ingestEnv(t);
  for (const name of ['part_1.mp3', 'part_0001_1.mp3', 'part_0000.mp3', 'intro.mp3', 'part_0001.MP3']) {
    const f = await env.raw(`${DIR}/${name}`, (p) => FIXTURES.voice(p, 1.2));
    await assert.rejects(validateNarrationPart(env.ctx, f, 'cars', 'spring sale', name), (err: unknown) => isClipmillError(err, 'NARRATION_BAD_NAME') && (err as Error).message.includes(JSON.stringify(name)));
  }
  const wav = await env.raw(`${DIR}/part_0003.mp3`, FIXTURES.musicWav);
  await assert.rejects(validateNarrationPart(env.ctx, wav, 'cars', 'spring sale', 'part_0003.mp3'), (err: unknown) => isClipmillError(err, 'WRONG_CODEC'));
  const lying = await env.raw(`${DIR}/part_0004_3.mp3`, (p) => FIXTURES.lyingMp3(p, 1, 3));
  const out = await ingestFile(env.ctx, lying);
  assert.ok(out.status === 'convert', env.log());
  assert.equal(out.job.original, join(env.layout.scannedNarrationDir('cars', 'spring sale'), 'original', 'part_0004_3.mp3'));
  // A restart before the conversion finds it again.
  assert.deepEqual((await recover(env.ctx)).pending.map((j) => [j.kind, j.campaign, j.id]), [['narration', 'spring sale', 'part_0004_3']]);
  const done = await convertOriginal(env.ctx, out.job);
  assert.ok(done.status === 'done' && done.record, env.log());
  assert.equal(done.dest, join(env.layout.scannedNarrationDir('cars', 'spring sale'), 'part_0004_3.mp3'));
  assert.deepEqual([done.record.id, done.record.part, done.record.take, done.record.raw_path], ['cars/spring sale/part_0004_3', 4, 3, `raw/${DIR}/part_0004_3.mp3`]);
  assert.ok(Math.abs(done.record.duration! - 4) < 0.2, String(done.record.duration));
  assert.deepEqual((await recover(env.ctx)).pending, [], 'converted: nothing pending');
});
