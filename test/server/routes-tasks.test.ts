// /api/v1/tasks: the list from the cache (every folder, newest first, pages, states), one
// task, retry and edit through the task protocol, media with Range.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { revisionId } from '../../src/shared/protocol/edit.js';
import { visible } from '../helpers.js';
import { served, taskFolder } from './fixture.js';

const ID = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;
const at = (n: number) => `2026-11-22T00:00:${String(n).padStart(2, '0')}.000Z`;

test('GET /tasks: every state, newest first, paged and filtered; GET /tasks/:id with its files; media with Range; retry; edit makes revision 1', async (t) => {
  const { app, auth, layout } = await served(t);
  const video = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  await taskFolder(layout.task(ID(1)), ID(1), { created_at: at(1), priority: 5 });
  await taskFolder(layout.processingTask(ID(2)), ID(2), { created_at: at(2) });
  await taskFolder(layout.outputTask(ID(3)), ID(3), { created_at: at(3) }, { 'final.mp4': video, 'poster.jpg': 'jpg', 'music.mp3': 'm', 'voice.mp3': 'v', 'logo.png': 'l', 'video_list.txt': '' });
  await taskFolder(layout.failedTask(ID(4)), ID(4), { created_at: at(4) }, { 'error.json': JSON.stringify({ task_id: ID(4), code: 'RENDER_FAILED', message: 'boom' }) });
  await taskFolder(join(layout.trashCancelled, ID(5)), ID(5), { created_at: at(5) });
  await mkdir(join(layout.tasks, 'not-a-task'));
  // The list is kept by watches and rescans: a rescan here stands for the background one.
  await app.taskList.rescan();
  const list = await app.inject({ url: '/api/v1/tasks', headers: auth });
  assert.equal(list.statusCode, 200);
  const body = list.json() as { total: number; tasks: { id: string; state: string; priority: number }[] };
  assert.equal(body.total, 5);
  assert.deepEqual(body.tasks.map((x) => [x.id, x.state]), [[ID(5), 'cancelled'], [ID(4), 'failed'], [ID(3), 'rendered'], [ID(2), 'rendering'], [ID(1), 'queued']]);
  const page = (await app.inject({ url: '/api/v1/tasks?offset=1&limit=2', headers: auth })).json() as typeof body;
  assert.deepEqual(page.tasks.map((x) => x.id), [ID(4), ID(3)]);
  assert.deepEqual((await app.inject({ url: '/api/v1/tasks?state=queued', headers: auth })).json().tasks.map((x: { id: string }) => x.id), [ID(1)]);
  const bad = await app.inject({ url: '/api/v1/tasks?state=lost&limit=0', headers: auth });
  assert.equal(bad.statusCode, 400);
  assert.equal((await app.inject({ url: '/api/v1/tasks?colour=red', headers: auth })).json().field, 'colour', 'a typo in a query key is named');

  const one = (await app.inject({ url: `/api/v1/tasks/${ID(3).toUpperCase()}`, headers: auth })).json();
  assert.equal(one.state, 'rendered');
  assert.equal(one.metadata.task_id, ID(3));
  assert.deepEqual(one.media, { video: true, preview: false, poster: true });
  assert.equal((await app.inject({ url: `/api/v1/tasks/${ID(9)}`, headers: auth })).statusCode, 404);

  const whole = await app.inject({ url: `/api/v1/tasks/${ID(3)}/video`, headers: auth });
  assert.equal(whole.statusCode, 200);
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  assert.equal(whole.rawPayload.length, 1000);
  const part = await app.inject({ url: `/api/v1/tasks/${ID(3)}/video`, headers: { ...auth, range: 'bytes=100-199' } });
  assert.equal(part.statusCode, 206);
  assert.equal(part.headers['content-range'], 'bytes 100-199/1000');
  assert.deepEqual(part.rawPayload, video.subarray(100, 200));
  const tail = await app.inject({ url: `/api/v1/tasks/${ID(3)}/video`, headers: { ...auth, range: 'bytes=-10' } });
  assert.deepEqual(tail.rawPayload, video.subarray(990));
  const beyond = await app.inject({ url: `/api/v1/tasks/${ID(3)}/video`, headers: { ...auth, range: 'bytes=5000-' } });
  assert.equal(beyond.statusCode, 416);
  assert.equal(beyond.headers['content-range'], 'bytes */1000');
  assert.equal((await app.inject({ url: `/api/v1/tasks/${ID(3)}/poster`, headers: auth })).headers['content-type'], 'image/jpeg');
  assert.equal((await app.inject({ url: `/api/v1/tasks/${ID(1)}/video`, headers: auth })).statusCode, 404);
  assert.equal((await app.inject({ url: `/api/v1/tasks/${ID(1)}/preview`, headers: auth })).statusCode, 404);
  await mkdir(layout.previewTask(ID(1)), { recursive: true });
  await writeFile(join(layout.previewTask(ID(1)), 'preview.mp4'), 'draft');
  assert.equal((await app.inject({ url: `/api/v1/tasks/${ID(1)}/preview`, headers: auth })).body, 'draft');

  const retry = await app.inject({ method: 'POST', url: `/api/v1/tasks/${ID(4)}/retry`, headers: auth });
  assert.equal(retry.statusCode, 200, retry.body);
  assert.equal(retry.json().code, 'RENDER_FAILED');
  assert.ok((await visible(layout.tasks)).includes(ID(4)));
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/tasks/${ID(4)}/retry`, headers: auth })).statusCode, 400, 'nothing left to retry');

  const badEdit = await app.inject({ method: 'POST', url: `/api/v1/tasks/${ID(3)}/edit`, headers: auth, payload: { music_volume: 11 } });
  assert.equal(badEdit.statusCode, 400);
  assert.equal(badEdit.json().field, 'music_volume');
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/tasks/${ID(3)}/edit`, headers: auth, payload: { music_volme: 1 } })).json().field, 'music_volme');
  const badPos = (await app.inject({ method: 'POST', url: `/api/v1/tasks/${ID(3)}/edit`, headers: auth, payload: { logo_position: 'sideways' } })).json();
  assert.equal(badPos.field, 'logo_position');
  assert.doesNotMatch(badPos.message, /--/, 'no CLI flag names');
  // The edit function's own refusals name their field too (a permutation it checks itself).
  const badOrder = (await app.inject({ method: 'POST', url: `/api/v1/tasks/${ID(3)}/edit`, headers: auth, payload: { order: [1, 1] } })).json();
  assert.deepEqual([badOrder.code, badOrder.field], ['USAGE', 'order']);
  assert.match(badOrder.message, /^the segment order must list each of the/);
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/tasks/${ID(1)}/edit`, headers: auth, payload: { music_volume: 1 } })).statusCode, 400, 'an unfinished task is not edited');
  const edit = await app.inject({ method: 'POST', url: `/api/v1/tasks/${ID(3)}/edit`, headers: auth, payload: { music_volume: 0.5, logo_position: 'right,bottom' } });
  assert.equal(edit.statusCode, 200, edit.body);
  assert.equal(edit.json().taskId, revisionId(ID(3), 1));
  assert.equal(edit.json().revision, 1);
  const rev = (await app.inject({ url: `/api/v1/tasks/${revisionId(ID(3), 1)}`, headers: auth })).json();
  assert.equal(rev.state, 'queued');
  assert.equal(rev.revision_of, ID(3));
  assert.equal(rev.revisions.revisions[1].by, 'dashboard', "the token's name");
});
