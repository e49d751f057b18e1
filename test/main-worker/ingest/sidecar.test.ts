// Sidecars (<file>.json): taken with their file, tags normalized into the asset record, the raw
// sidecar kept beside the filed file; a bad one rejects both; an orphan is rejected; the scan
// holds a file back while its sidecar settles.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestFile } from '../../../src/main-worker/ingest/index.js';
import { findSidecar } from '../../../src/main-worker/ingest/sidecar.js';
import { sidecarGate, type RawFile } from '../../../src/main-worker/scan.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { readJson } from '../../../src/shared/json.js';
import { walk } from '../../helpers.js';
import { FIXTURES } from '../../media.js';
import { ingestEnv } from './env.js';

const f = (rel: string): RawFile => ({ path: `/r/raw/${rel}`, rel, size: 1, mtimeMs: 1 });

test('sidecarGate: a file waits for its settling sidecar; a sidecar goes with its file; an orphan is taken alone', () => {
  const clip = f('video/c/a.mp4');
  const side = f('video/c/a.mp4.json');
  const other = f('video/c/b.mp4');
  const orphan = f('video/c/gone.mp4.json');
  const upper = f('image/c/x.png.JSON');
  const x = f('image/c/x.png');
  assert.deepEqual(sidecarGate([clip, other], [side], [clip, side, other]), { take: [other], wait: [clip] });
  assert.deepEqual(sidecarGate([clip, side, orphan], [], [clip, side, orphan]), { take: [clip, orphan], wait: [] });
  assert.deepEqual(sidecarGate([side], [clip], [clip, side]), { take: [], wait: [] }, 'the file still settling: its sidecar waits with it');
  assert.deepEqual(sidecarGate([side], [], [side], ['video/c/a.mp4']), { take: [], wait: [] }, 'its file being ingested (moved, the sidecar not yet): no orphan, its ingest takes it');
  assert.deepEqual(sidecarGate([x], [upper], [x, upper]), { take: [], wait: [x] });
  const job = f('job/a.json');
  assert.deepEqual(sidecarGate([job], [], [job]), { take: [job], wait: [] }, 'a job file is not a sidecar');
});

test('a tagged clip: tags lower-cased in its record, the raw sidecar beside it as it came', async (t) => {
  const env = await ingestEnv(t);
  const clip = await env.raw('video/cars/red car.mp4', (p) => FIXTURES.clip(p, 1));
  const text = '{"tags": [" Spring", "RED Car", "spring"], "priority": 2}';
  await writeFile(`${clip.path}.json`, text);
  const out = await ingestFile(env.ctx, clip);
  assert.ok(out.status === 'moved' && out.record, env.log());
  assert.deepEqual([out.record.tags, out.record.priority, out.record.raw_path], [['spring', 'red car'], 2, 'raw/video/cars/red car.mp4']);
  assert.deepEqual(await readJson(AssetRecordSchema, `${out.dest}.json`, 'IO'), out.record);
  assert.equal(await readFile(`${out.dest}.sidecar.json`, 'utf8'), text);
  assert.deepEqual(await walk(env.layout.raw), [], 'the file and its sidecar left raw/');
});

test('a typo\'d key in a sidecar: the file and the sidecar go to trash/invalid, each with a reason naming the field', async (t) => {
  const env = await ingestEnv(t);
  const clip = await env.raw('video/cars/x.mp4', (p) => FIXTURES.clip(p, 1));
  await writeFile(`${clip.path}.json`, '{"tag": ["spring"]}');
  const out = await ingestFile(env.ctx, clip);
  assert.ok(out.status === 'rejected' && out.code === 'SIDECAR_INVALID', JSON.stringify(out));
  const trash = join(env.layout.trashInvalid, 'video/cars');
  assert.deepEqual((await readdir(trash)).sort(), ['x.mp4', 'x.mp4.json', 'x.mp4.json.reason.json', 'x.mp4.reason.json']);
  for (const name of ['x.mp4.reason.json', 'x.mp4.json.reason.json']) {
    const reason = JSON.parse(await readFile(join(trash, name), 'utf8')) as { code: string; message: string; details: { field: string } };
    assert.deepEqual([reason.code, reason.message, reason.details.field], ['SIDECAR_INVALID', 'raw/video/cars/x.mp4.json: unknown key "tag"', '(top level)'], name);
  }
  assert.deepEqual(await walk(env.layout.scanned).then((l) => l.filter((p) => !p.endsWith('/.keep'))), [], 'nothing filed');
});

test('a rejected file takes its sidecar along; an orphan sidecar is rejected with a reason; a sidecar beside a file in raw/ is left to it', async (t) => {
  const env = await ingestEnv(t);
  const bad = await env.raw('music/c/not music.mp3', FIXTURES.text);
  await writeFile(`${bad.path}.json`, '{"tags": ["x"]}');
  const out = await ingestFile(env.ctx, bad);
  assert.ok(out.status === 'rejected' && out.code === 'PROBE_FAILED');
  const reason = JSON.parse(await readFile(join(env.layout.trashInvalid, 'music/c/not music.mp3.json.reason.json'), 'utf8')) as { code: string; message: string };
  assert.equal(reason.code, 'PROBE_FAILED');
  assert.match(reason.message, /^its file raw\/music\/c\/not music\.mp3 was rejected: /);

  const orphan = await env.raw('image/c/gone.png.json', (p) => writeFile(p, '{"tags": ["x"]}'));
  const o = await ingestFile(env.ctx, orphan);
  assert.ok(o.status === 'rejected' && o.code === 'SIDECAR_ORPHAN');
  const why = JSON.parse(await readFile(join(env.layout.trashInvalid, 'image/c/gone.png.json.reason.json'), 'utf8')) as { message: string };
  assert.match(why.message, /^raw\/image\/c\/gone\.png\.json is the sidecar of raw\/image\/c\/gone\.png, which is not in raw\//);

  const waiting = await env.raw('text/c/a.txt.json', (p) => writeFile(p, '{}'));
  await env.raw('text/c/a.txt', (p) => writeFile(p, 'hello'));
  const w = await ingestFile(env.ctx, waiting);
  assert.equal(w.status, 'skipped');
  assert.equal(await findSidecar(join(env.layout.raw, 'text/c/a.txt')), waiting.path);
});
