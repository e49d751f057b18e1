import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { editTask, revisionId, RevisionsFileSchema, undoRevision } from '../../../src/shared/protocol/edit.js';
import { readMetadata } from '../../../src/shared/protocol/task-files.js';
import { sampleMetadata } from '../../fixtures.js';
import { visible } from '../../helpers.js';
import { ID, rootWithTasks, writeTaskFolder } from './fixture.js';

async function finished(t: Parameters<typeof rootWithTasks>[0]) {
  const layout = await rootWithTasks(t, 1);
  await writeTaskFolder(layout.outputTask(ID(9)), ID(9));
  await writeFile(join(layout.outputTask(ID(9)), 'metadata.json'), JSON.stringify({ ...sampleMetadata(), task_id: ID(9), attempts: 2, priority: 4, not_before: '2026-01-01T00:00:00Z' }));
  for (const f of ['final.mp4', 'report.json', 'poster.jpg', 'logo.png']) await writeFile(join(layout.outputTask(ID(9)), f), f);
  return layout;
}

test('editTask: revision ids derived from the original and N; two edits at once get two numbers; the new task carries inputs, not results', async (t) => {
  const layout = await finished(t);
  const NOW = new Date('2026-11-29T01:00:00Z');
  const [a, b] = await Promise.all([
    editTask(layout, { taskId: ID(9), edit: { musicVolume: 0.5 }, by: 'ana', now: NOW }),
    editTask(layout, { taskId: ID(9), edit: { logoScale: 0.3 }, by: 'bo', now: NOW }),
  ]);
  assert.deepEqual([a.revision, b.revision].sort(), [1, 2]);
  assert.deepEqual(new Set([a.taskId, b.taskId]), new Set([revisionId(ID(9), 1), revisionId(ID(9), 2)]));
  const m = await readMetadata(layout.task(a.taskId));
  assert.deepEqual([m.schema_version, m.revision_of, m.revision, m.attempts, m.priority, m.not_before, m.created_at], [2, ID(9), a.revision, 0, 4, undefined, NOW.toISOString()]);
  assert.deepEqual(await visible(layout.task(a.taskId)), ['logo.png', 'metadata.json']);
  const file = RevisionsFileSchema.parse(JSON.parse(await readFile(layout.revisionsFile(ID(9)), 'utf8')));
  assert.deepEqual(file.revisions.map((r) => [r.revision, r.by]), [[0, null], [1, a.revision === 1 ? 'ana' : 'bo'], [2, a.revision === 2 ? 'ana' : 'bo']]);
  assert.equal(file.current, 2);
});

test('editTask: a task not finished is refused, naming where it is; a number taken by a lost edit is recorded late; undo goes back one revision at a time', async (t) => {
  const layout = await finished(t);
  await assert.rejects(editTask(layout, { taskId: ID(1), edit: { noMusic: true }, by: 'x' }), (e: unknown) => isClipmillError(e, 'USAGE') && /is not finished \(it is in tasks\/0f8fad5b[^)]*\): only a task in output\/ can be edited/.test(e.message));
  // An edit that died after publishing revision 1, before recording it.
  await mkdir(layout.outputTask(revisionId(ID(9), 1)));
  const r = await editTask(layout, { taskId: ID(9), edit: { noMusic: true }, by: 'x' });
  assert.equal(r.revision, 2);
  const file = RevisionsFileSchema.parse(JSON.parse(await readFile(layout.revisionsFile(ID(9)), 'utf8')));
  assert.deepEqual(file.revisions.map((x) => [x.revision, x.task_id, x.by]), [[0, ID(9), null], [1, revisionId(ID(9), 1), null], [2, r.taskId, 'x']]);
  assert.match(file.revisions[1]!.changes[0]!, /recorded late/);
  const u = await undoRevision(layout, r.taskId, 'y');
  assert.deepEqual([u.original, u.current.revision, u.undone.revision], [ID(9), 1, 2]);
  assert.equal((await undoRevision(layout, r.taskId, 'y')).current.revision, 0);
  await assert.rejects(undoRevision(layout, ID(9), 'y'), /nothing to undo/);
});
