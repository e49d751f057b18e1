// raw/job/<name>.json: valid -> scanned/job/<name>.json unchanged; invalid -> trash/invalid/job/
// with a reason naming the field; a second file of a taken name -> DUPLICATE.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestFile } from '../../../src/main-worker/ingest/index.js';
import { ingestEnv } from './env.js';

const GOOD = JSON.stringify({ variations: 2, sources: [{ category: 'promo' }] });

test('a valid job file is filed as scanned/job/<name>.json, as it was', async (t) => {
  const env = await ingestEnv(t);
  const name = `spring "sale" ✓.json`;
  const file = await env.raw(`job/${name}`, (p) => writeFile(p, GOOD));
  const r = await ingestFile(env.ctx, file);
  assert.deepEqual(r, { status: 'moved', kind: 'job', dest: join(env.layout.scannedJobs, name) });
  assert.equal(await readFile(join(env.layout.scannedJobs, name), 'utf8'), GOOD);
});

test('bad job files go to trash/invalid/job with a reason naming the field', async (t) => {
  const env = await ingestEnv(t);
  const cases: [string, string, string, RegExp][] = [
    ['typo.json', JSON.stringify({ variatons: 2, sources: [{ category: 'p' }] }), 'JOB_INVALID', /variatons: unknown key/],
    ['bad value.json', JSON.stringify({ sources: [{ category: 'p' }], parts: [{ footage: [{ category: 'c' }], clips: 2, clip_seconds: { min: -1, max: 2 }, narration: { category: 'c', campaign: 'x', part: 1 } }] }), 'JOB_INVALID', /parts\[0\]\.clip_seconds\.min: a number > 0, got -1/],
    ['broken.json', '{"variations": 2,', 'JOB_INVALID', /is not valid JSON/],
    ['empty.json', '', 'RAW_EMPTY', /empty/],
  ];
  for (const [name, text, code, re] of cases) {
    const file = await env.raw(`job/${name}`, (p) => writeFile(p, text));
    const r = await ingestFile(env.ctx, file);
    assert.equal(r.status, 'rejected', name);
    assert.equal((r as { code: string }).code, code, name);
    const reason = JSON.parse(await readFile(join(env.layout.trashInvalid, 'job', `${name}.reason.json`), 'utf8')) as { message: string; raw_path: string };
    assert.match(reason.message, re, name);
    assert.equal(reason.raw_path, `raw/job/${name}`);
    assert.equal(await readFile(join(env.layout.trashInvalid, 'job', name), 'utf8'), text, `${name} kept`);
  }
});

test('a job name is taken once; the same bytes again complete an interrupted move', async (t) => {
  const env = await ingestEnv(t);
  const first = await env.raw('job/a.json', (p) => writeFile(p, GOOD));
  assert.equal((await ingestFile(env.ctx, first)).status, 'moved');
  const same = await env.raw('job/a.json', (p) => writeFile(p, GOOD));
  assert.equal((await ingestFile(env.ctx, same)).status, 'moved');
  const other = await env.raw('job/a.json', (p) => writeFile(p, JSON.stringify({ variations: 3, sources: [{ category: 'promo' }] })));
  const r = await ingestFile(env.ctx, other);
  assert.equal(r.status, 'rejected');
  assert.equal((r as { code: string }).code, 'DUPLICATE');
});

test('a cancelled job keeps its name: the same job dropped again is refused (DUPLICATE), never planned again', async (t) => {
  const env = await ingestEnv(t);
  const first = await env.raw('job/b.json', (p) => writeFile(p, GOOD));
  assert.equal((await ingestFile(env.ctx, first)).status, 'moved');
  const { cancelJob } = await import('../../../src/shared/protocol/cancel.js');
  assert.deepEqual(await cancelJob(env.layout, 'b'), { jobFile: 'trash/cancelled/jobs/b.json', cancelled: [], refused: [] });
  const again = await env.raw('job/b.json', (p) => writeFile(p, GOOD));
  const r = await ingestFile(env.ctx, again);
  assert.equal(r.status, 'rejected');
  assert.equal((r as { code: string }).code, 'DUPLICATE');
  const reason = JSON.parse(await readFile(join(env.layout.trashInvalid, 'job', 'b.json.reason.json'), 'utf8')) as { message: string };
  assert.match(reason.message, /was cancelled/);
});
