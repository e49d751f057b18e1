import assert from 'node:assert/strict';
import { mkdir, rename, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { TaskList } from '../../src/server/task-list.js';
import { Layout } from '../../src/shared/layout.js';
import { tempDir } from '../helpers.js';
import { taskFolder } from './fixture.js';

const ID = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;

test('TaskList: one entry per task where it is now; a move seen by a rescan; two failures of one id are one entry (the latest); a broken metadata.json still listed', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  await taskFolder(layout.task(ID(1)), ID(1), { created_at: '2026-01-01T00:00:01.000Z', priority: 3, category: 'cars' });
  await taskFolder(layout.failedTask(ID(2)), ID(2), { created_at: '2026-01-01T00:00:02.000Z' });
  await taskFolder(join(layout.trashFailed, `${ID(2)}.2`), ID(2), { created_at: '2026-01-01T00:00:02.000Z' });
  await mkdir(layout.outputTask(ID(3)), { recursive: true });
  const list = await new TaskList(layout, { watch: false, rescanMs: 60_000 }).open();
  t.after(() => list.close());
  // Newest first; a folder without metadata.json is as old as its folder (made now: the newest).
  assert.deepEqual(list.all().map((x) => [x.id, x.state, x.folder]), [
    [ID(3), 'rendered', `output/${ID(3)}`],
    [ID(2), 'failed', `trash/failed/${ID(2)}.2`],
    [ID(1), 'queued', `tasks/${ID(1)}`],
  ]);
  assert.equal(list.get(ID(1))?.priority, 3);
  assert.equal(list.get(ID(3))?.priority, 0, 'no metadata.json: listed with defaults');
  const v = list.version;
  await rename(layout.task(ID(1)), layout.processingTask(ID(1)));
  await list.refresh();
  assert.equal(list.get(ID(1))?.state, 'queued', 'without a watch, only a rescan sees it');
  await list.rescan();
  assert.equal(list.get(ID(1))?.state, 'rendering');
  assert.ok(list.version > v);
  const again = list.version;
  await list.rescan();
  assert.equal(list.version, again, 'nothing changed: the same version');
});

test('TaskList: the latest failure by number (<id>.10 after <id>.9); a task gone from every folder is forgotten', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  await taskFolder(layout.failedTask(ID(4)), ID(4));
  for (const n of [2, 9, 10]) await taskFolder(join(layout.trashFailed, `${ID(4)}.${n}`), ID(4));
  await taskFolder(layout.task(ID(5)), ID(5));
  const list = await new TaskList(layout, { watch: false, rescanMs: 60_000 }).open();
  t.after(() => list.close());
  assert.equal(list.get(ID(4))?.folder, `trash/failed/${ID(4)}.10`);
  await rm(layout.task(ID(5)), { recursive: true });
  await list.rescan();
  assert.equal(list.get(ID(5)), undefined);
  assert.deepEqual([...(list as unknown as { info: Map<string, unknown> }).info.keys()], [ID(4)], 'what was read of it is dropped too');
});

test('TaskList: with the watch on, a move on this host is seen without a rescan', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  await taskFolder(layout.task(ID(6)), ID(6));
  // The background rescan never runs during the test: only the watch can tell.
  const list = await new TaskList(layout, { rescanMs: 3_600_000 }).open();
  t.after(() => list.close());
  assert.equal(list.get(ID(6))?.state, 'queued');
  await rename(layout.task(ID(6)), layout.processingTask(ID(6)));
  // inotify delivers the events a moment later: poll (refresh checks only what the watch reported).
  for (let i = 0; list.get(ID(6))?.state !== 'rendering'; i++) {
    if (i >= 200) assert.fail(`the watch did not report the move within 20 s (state ${list.get(ID(6))?.state})`);
    await sleep(100);
    await list.refresh();
  }
  assert.equal(list.get(ID(6))?.folder, `processing/${ID(6)}`);
});

test('TaskList.lookup: a task not seen yet is found by its own folder, an unknown id costs no listing', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const list = await new TaskList(layout, { watch: false, rescanMs: 3_600_000 }).open();
  t.after(() => list.close());
  list.rescan = () => assert.fail('no full rescan per lookup');
  await taskFolder(layout.outputTask(ID(7)), ID(7));
  assert.equal(list.get(ID(7)), undefined, 'not seen: no watch, no rescan');
  assert.equal((await list.lookup(ID(7)))?.state, 'rendered');
  assert.equal(await list.lookup(ID(8)), undefined);
});
