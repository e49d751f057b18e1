// Uploads into raw/: streamed to a dot-named temporary, the sidecar beside it, renamed in;
// over the limit nothing reaches raw/ (and nothing is left); every field checked.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/shared/log.js';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkSegment, parseTags, sweepStaleUploads, uploadFolder } from '../../src/server/uploads.js';
import { walk } from '../helpers.js';
import { form, served } from './fixture.js';

test('an upload lands in raw/<kind>/<category>/ with its sidecar; names with spaces, quotes and Unicode kept; a second one with the same name is refused', async (t) => {
  const { app, auth, layout } = await served(t);
  const name = "Red 'car' ünïcødé clip.mp4";
  const f = form({ kind: 'video', category: 'voitures rouges', tags: ' Spring; <img src=x onerror=alert(1)>, spring ' }, { name, data: Buffer.alloc(5000, 7) });
  const res = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...f.headers }, payload: f.payload });
  assert.equal(res.statusCode, 201, res.body);
  assert.deepEqual(res.json(), { path: `raw/video/voitures rouges/${name}`, sidecar: `raw/video/voitures rouges/${name}.json`, bytes: 5000, tags: ['spring', '<img src=x onerror=alert(1)>'] });
  assert.deepEqual(JSON.parse(await readFile(join(layout.raw, 'video', 'voitures rouges', `${name}.json`), 'utf8')), { tags: ['spring', '<img src=x onerror=alert(1)>'] });
  assert.equal((await readFile(join(layout.raw, 'video', 'voitures rouges', name))).length, 5000);
  assert.deepEqual((await readdir(join(layout.raw, 'video', 'voitures rouges'))).sort(), [name, `${name}.json`].sort(), 'no temporary left');
  const again = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...f.headers }, payload: f.payload });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().field, 'file');
  // Untagged: no sidecar.
  const g = form({ kind: 'music', category: 'beds' }, { name: 'bed.mp3', data: 'abc' });
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...g.headers }, payload: g.payload })).json().sidecar, null);
});

test('an upload over the limit is refused (413) and leaves nothing: neither the file nor a temporary nor a sidecar', async (t) => {
  const { app, auth, layout } = await served(t, { maxUploadBytes: 10_000 });
  const f = form({ kind: 'video', category: 'big', tags: 'x' }, { name: 'huge.mp4', data: Buffer.alloc(200_000, 1) });
  const res = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...f.headers }, payload: f.payload });
  assert.equal(res.statusCode, 413, res.body);
  assert.equal(res.json().code, 'TOO_LARGE');
  assert.deepEqual(await walk(layout.raw), []);
});

test('narrations: a CSV to raw/narration/<category>/<campaign>.csv; a recorded part needs its campaign; fields after the file and unknown fields are refused', async (t) => {
  const { app, auth, layout } = await served(t);
  const csv = form({ category: 'cars', tags: 'spring' }, { name: 'spring.csv', data: 'text,campaign_part\nHello,1\n' });
  const r = await app.inject({ method: 'POST', url: '/api/v1/narrations', headers: { ...auth, ...csv.headers }, payload: csv.payload });
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().path, 'raw/narration/cars/spring.csv');
  const part = form({ kind: 'narration', category: 'cars' }, { name: 'part_0001.mp3', data: 'x' });
  const noCampaign = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...part.headers }, payload: part.payload });
  assert.equal(noCampaign.json().field, 'campaign');
  const withCampaign = form({ kind: 'narration', category: 'cars', campaign: 'spring' }, { name: 'part_0001.mp3', data: 'x' });
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...withCampaign.headers }, payload: withCampaign.payload })).json().path, 'raw/narration/cars/spring/part_0001.mp3');
  const unknown = form({ kind: 'video', category: 'c', colour: 'red' }, { name: 'a.mp4', data: 'x' });
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...unknown.headers }, payload: unknown.payload })).json().field, 'colour');
  const noFile = form({ kind: 'video', category: 'c' }, null);
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...noFile.headers }, payload: noFile.payload })).json().field, 'file');
  assert.deepEqual((await walk(layout.raw)).map((p) => layout.rel(p)).sort(), ['raw/narration/cars/spring.csv', 'raw/narration/cars/spring.csv.json', 'raw/narration/cars/spring/part_0001.mp3']);
});

test('checkSegment, parseTags, uploadFolder', () => {
  assert.equal(checkSegment('category', 'Été 2026'), 'Été 2026');
  for (const bad of ['', ' x', 'a/b', '..', '.x', 'a\nb', 'x'.repeat(200)]) assert.throws(() => checkSegment('category', bad), /category/);
  assert.deepEqual(parseTags('A, b;a ;; '), ['a', 'b']);
  assert.throws(() => parseTags('a/b'), /path separators/);
  assert.deepEqual(uploadFolder('short', 'c', 'x.mp3', undefined), ['short', 'c']);
  assert.deepEqual(uploadFolder('narration', 'c', 'x.TXT', undefined), ['narration', 'c']);
});

/** The form's bytes as a stream that holds back its last 100 bytes until `meanwhile` ran, once the server streams the file to its temporary (it made it after its checks). */
function slowPayload(payload: Buffer, dir: string, meanwhile: () => Promise<void>): Readable {
  return Readable.from((async function* () {
    yield payload.subarray(0, payload.length - 100);
    for (let i = 0; !(await readdir(dir).catch(() => [] as string[])).some((n) => n.includes('.tmp-')); i++) {
      if (i > 1000) throw new Error(`no temporary in ${dir} after 20 s`);
      await sleep(20);
    }
    await meanwhile();
    yield payload.subarray(payload.length - 100);
  })(), { objectMode: false });
}

test('an upload never replaces nor removes a sidecar or file someone else put in raw/ while it streamed (409)', async (t) => {
  const { app, auth, layout } = await served(t);
  const dir = join(layout.raw, 'video', 'cars');
  // A sidecar dropped by an operator meanwhile: kept as it is; the upload refused, nothing of it left.
  const f = form({ kind: 'video', category: 'cars', tags: 'red' }, { name: 'a.mp4', data: Buffer.alloc(300_000, 1) });
  const res = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...f.headers }, payload: slowPayload(f.payload, dir, () => writeFile(join(dir, 'a.mp4.json'), '{"tags":["theirs"]}')) });
  assert.equal(res.statusCode, 409, res.body);
  assert.equal(res.json().field, 'file');
  assert.deepEqual(await readdir(dir), ['a.mp4.json']);
  assert.equal(await readFile(join(dir, 'a.mp4.json'), 'utf8'), '{"tags":["theirs"]}');
  // The file itself dropped meanwhile: our sidecar (written before the rename) taken back, their file kept.
  const g = form({ kind: 'video', category: 'cars', tags: 'red' }, { name: 'b.mp4', data: Buffer.alloc(300_000, 2) });
  const res2 = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...g.headers }, payload: slowPayload(g.payload, dir, () => writeFile(join(dir, 'b.mp4'), 'theirs')) });
  assert.equal(res2.statusCode, 409, res2.body);
  assert.deepEqual((await readdir(dir)).sort(), ['a.mp4.json', 'b.mp4']);
  assert.equal(await readFile(join(dir, 'b.mp4'), 'utf8'), 'theirs');
});

test('uploads are refused when the disk would fall below disk.minFreeMb (507) or too many stream at once (503); a server error is logged, its body names no path', async (t) => {
  let free = 50 * 1024 * 1024;
  const out = new PassThrough();
  let logged = '';
  out.on('data', (c: Buffer) => (logged += c.toString()));
  const { app, auth, layout } = await served(t, { minFreeBytes: 40 * 1024 * 1024, maxUploadBytes: 20 * 1024 * 1024, maxConcurrentUploads: 1, freeBytes: async () => free, log: createLogger({ format: 'line', level: 'info', out }) });
  const f = form({ kind: 'video', category: 'cars' }, { name: 'a.mp4', data: Buffer.alloc(1000, 1) });
  // 50 MiB free, 40 must stay: this small upload (its Content-Length) fits…
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...f.headers }, payload: f.payload })).statusCode, 201);
  // …one that could carry the 20 MiB limit (no length given) does not.
  const g = form({ kind: 'video', category: 'cars' }, { name: 'b.mp4', data: Buffer.alloc(1000, 1) });
  const big = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...g.headers }, payload: Readable.from([g.payload]) });
  assert.equal(big.statusCode, 507, big.body);
  assert.equal(big.json().code, 'NO_SPACE');
  free = 1024 ** 4;
  // One upload streaming (held before its last bytes); a second is refused while it does.
  const dir = join(layout.raw, 'video', 'slow');
  let second = 0;
  const h = form({ kind: 'video', category: 'slow' }, { name: 'c.mp4', data: Buffer.alloc(300_000, 1) });
  const first = app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...h.headers }, payload: slowPayload(h.payload, dir, async () => {
    second = (await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...g.headers }, payload: g.payload })).statusCode;
  }) });
  assert.equal((await first).statusCode, 201);
  assert.equal(second, 503);
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...g.headers }, payload: g.payload })).statusCode, 201, 'free again');
  // A fault (here the free-space probe) is a 500 with a generic body; the log has the details.
  const { app: app2, auth: auth2 } = await served(t, { freeBytes: async () => { throw Object.assign(new Error("EIO: i/o error, statfs '/srv/secret/raw'"), { code: 'EIO' }); }, log: createLogger({ format: 'line', level: 'info', out }) });
  const k = form({ kind: 'video', category: 'cars' }, { name: 'k.mp4', data: 'x' });
  const fault = await app2.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth2, ...k.headers }, payload: k.payload });
  assert.equal(fault.statusCode, 500);
  assert.doesNotMatch(fault.body, /secret|EIO/);
  assert.match(logged, /POST \/api\/v1\/assets failed: EIO: i\/o error, statfs '\/srv\/secret\/raw'/);
});

test('temporaries an upload left under raw/ are removed at start once old; a young one (being written) is kept', async (t) => {
  const { layout } = await served(t);
  const dir = join(layout.raw, 'video', 'cars');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '.old.mp4.tmp-0123abcd'), 'x');
  await writeFile(join(dir, '.young.mp4.tmp-89abcdef'), 'x');
  await writeFile(join(dir, 'kept.mp4'), 'x');
  const old = new Date(Date.now() - 7 * 3600_000);
  await utimes(join(dir, '.old.mp4.tmp-0123abcd'), old, old);
  assert.deepEqual(await sweepStaleUploads(layout, 6 * 3600_000), ['raw/video/cars/.old.mp4.tmp-0123abcd']);
  assert.deepEqual((await readdir(dir)).sort(), ['.young.mp4.tmp-89abcdef', 'kept.mp4']);
});
