// /api/v1 jobs, assets, nodes and status: a job file validated as raw/job/ files are (the error
// names the field), filed into raw/job/ whole; a job's waiting tasks cancelled into
// trash/cancelled/; the catalog's assets filtered; heartbeats with their liveness.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { visible, walk } from '../helpers.js';
import { writeFixtures } from '../job-fixtures.js';
import { served, taskFolder } from './fixture.js';

const ID = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;
const JOB = { variations: 2, sources: [{ category: 'promo' }], parts: [{ footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 0.5, max: 1 }, narration: { category: 'cars', campaign: 'spring', part: 1 } }] };

test('POST /jobs: validated with the job schema (errors name the field), written whole to raw/job/<name>.json; a name in use is refused', async (t) => {
  const { app, auth, layout } = await served(t);
  const post = (payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth, payload: payload as object });
  const cases: [unknown, string][] = [
    [{ ...JOB, parts: [{ ...JOB.parts[0], clips: 0 }] }, 'parts[0].clips'],
    [{ ...JOB, variatons: 2 }, 'variatons'],
    [{ ...JOB, template: 'no-such-template' }, 'template'],
    [{ ...JOB, sources: [] }, 'sources'],
  ];
  for (const [job, field] of cases) {
    const r = await post({ name: 'spring', job });
    assert.equal(r.statusCode, 400, JSON.stringify(job));
    assert.equal(r.json().code, 'JOB_INVALID');
    assert.equal(r.json().field, field, r.body);
    assert.match(r.json().message, /^raw\/job\/spring\.json: /);
  }
  assert.equal((await post({ name: 'spring' })).json().field, 'job');
  assert.equal((await post({ name: 'spring', job: JOB, extra: 1 })).json().field, 'extra');
  const ok = await post({ name: 'spring promo', job: JOB });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.deepEqual(ok.json(), { name: 'spring promo', path: 'raw/job/spring promo.json', template: 'instructions', variations: 2, summary: '2 variation(s) of each source, 1 part(s)' });
  assert.deepEqual(JSON.parse(await readFile(join(layout.raw, 'job', 'spring promo.json'), 'utf8')), JOB);
  assert.equal((await post({ name: 'spring promo', job: JOB })).statusCode, 409);
  assert.deepEqual(await visible(join(layout.raw, 'job')), ['spring promo.json'], 'no temporary left');
});

test("GET /jobs and /jobs/:id from the task folders; DELETE /jobs/:id moves the job's waiting tasks to trash/cancelled/ and leaves started ones", async (t) => {
  const { app, auth, layout } = await served(t);
  await writeFile(join(layout.scannedJobs, 'spring.json'), JSON.stringify(JOB));
  const job = (variation: number) => ({ job: { name: 'spring', source: 'x', source_path: 'scanned/video/promo/a.mp4', variation, variations: 2, narrations: [], texts: [], logo: null } });
  await taskFolder(layout.task(ID(1)), ID(1), job(0) as never);
  await taskFolder(layout.processingTask(ID(2)), ID(2), job(1) as never);
  await taskFolder(layout.task(ID(3)), ID(3));
  const list = (await app.inject({ url: '/api/v1/jobs', headers: auth })).json();
  assert.deepEqual(list.jobs.map((j: { name: string; queued: number; rendering: number }) => [j.name, j.queued, j.rendering]), [['spring', 1, 1]]);
  assert.equal((await app.inject({ url: '/api/v1/jobs/spring', headers: auth })).json().variations, 2);
  assert.equal((await app.inject({ url: '/api/v1/jobs/autumn', headers: auth })).statusCode, 404);
  const del = await app.inject({ method: 'DELETE', url: '/api/v1/jobs/spring', headers: auth });
  assert.equal(del.statusCode, 200, del.body);
  assert.deepEqual(del.json(), { job_file: 'trash/cancelled/jobs/spring.json', cancelled: [ID(1)], refused: [] });
  assert.deepEqual(await visible(layout.scannedJobs), [], 'the planner plans it no more');
  // A task a planning pass published meanwhile: a second DELETE cancels it too.
  await taskFolder(layout.task(ID(4)), ID(4), job(1) as never);
  assert.deepEqual((await app.inject({ method: 'DELETE', url: '/api/v1/jobs/spring', headers: auth })).json(), { job_file: null, cancelled: [ID(4)], refused: [] });
  const report = (await app.inject({ url: '/api/v1/jobs/spring', headers: auth })).json();
  assert.deepEqual([report.cancelled_job, report.cancelled, report.queued, report.rendering], [true, 2, 0, 1]);
  // The name stays taken.
  const again = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth, payload: { name: 'spring', job: JOB } });
  assert.equal(again.statusCode, 409, again.body);
  assert.deepEqual(await visible(layout.trashCancelled), [ID(1), ID(4), 'jobs']);
  assert.deepEqual(await visible(layout.tasks), [ID(3)], 'another task stays');
  assert.deepEqual(await visible(layout.processing), [ID(2)], 'a started one renders on');
  const states = (await app.inject({ url: '/api/v1/tasks?job=spring', headers: auth })).json().tasks.map((x: { id: string; state: string }) => [x.id, x.state]).sort();
  assert.deepEqual(states, [[ID(1), 'cancelled'], [ID(2), 'rendering'], [ID(4), 'cancelled']]);
  assert.ok((await walk(layout.root)).some((p) => p.endsWith(`trash/cancelled/${ID(1)}/metadata.json`)), 'nothing deleted');
});

test('GET /assets filters by kind, category and tag; GET /nodes marks a stale heartbeat dead; GET /status answers', async (t) => {
  const { app, auth, layout } = await served(t);
  await writeFixtures(layout.root, [{ kind: 'video', category: 'cars', tags: ['red'] }, { kind: 'video', category: 'cars', n: 2 }, { kind: 'music', category: 'beds', tags: ['red'] }]);
  const get = async (q: string) => (await app.inject({ url: `/api/v1/assets${q}`, headers: auth })).json() as { kind: string; category: string; tags: string[] }[];
  assert.equal((await get('')).length, 3);
  assert.deepEqual((await get('?kind=video')).map((a) => a.category), ['cars', 'cars']);
  assert.deepEqual((await get('?tag=RED')).map((a) => a.kind).sort(), ['music', 'video']);
  assert.deepEqual((await get('?kind=video&tag=red&category=cars')).length, 1);
  assert.equal((await app.inject({ url: '/api/v1/assets?kind=sound', headers: auth })).json().field, 'kind');
  const hb = (node: string, updated: string) => ({ node, host: 'h', pid: 1, state: 'working', current: { task: ID(1), stage: 'render', progress: 0.5, since: updated }, encoder: 'libx264', counters: {}, metrics: { render_utilization: 0, avg_render_time: null, task_throughput: 0, io_overhead: null, window_s: 3600 }, started_at: updated, updated_at: updated, heartbeat_ms: 1000 });
  await writeFile(layout.heartbeat('fresh'), JSON.stringify(hb('fresh', new Date().toISOString())));
  await writeFile(layout.heartbeat('old'), JSON.stringify(hb('old', '2020-01-01T00:00:00.000Z')));
  const nodes = (await app.inject({ url: '/api/v1/nodes', headers: auth })).json() as { node: string; alive: boolean }[];
  assert.deepEqual(nodes.map((n) => [n.node, n.alive]), [['fresh', true], ['old', false]]);
  const status = await app.inject({ url: '/api/v1/status', headers: auth });
  assert.equal(status.statusCode, 200);
  assert.equal(status.json().root, layout.root);
});
