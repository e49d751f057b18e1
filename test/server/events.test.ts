import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { EventHub, MAX_BUFFERED } from '../../src/server/events.js';
import { ensureToken, rotateToken } from '../../src/shared/server-token.js';
import { TokenSource } from '../../src/server/auth.js';
import { TaskList } from '../../src/server/task-list.js';
import { Layout } from '../../src/shared/layout.js';
import { tempDir } from '../helpers.js';
import { taskFolder } from './fixture.js';

const ID = '0f8fad5b-d9cb-469f-a165-708677289501';

/** A response that records what is written. */
function fakeResponse() {
  const res = new EventEmitter() as EventEmitter & { text: string; status: number; writableLength: number; destroyed: boolean; ended: boolean; writeHead(s: number): void; write(s: string): boolean; end(): void; destroy(): void };
  res.text = '';
  res.writableLength = 0;
  res.destroyed = false;
  res.ended = false;
  res.writeHead = (s: number) => void (res.status = s);
  res.write = (s: string) => ((res.text += s), true);
  res.end = () => void ((res.ended = true), res.emit('close'));
  res.destroy = () => void ((res.destroyed = true), res.emit('close'));
  return res;
}

test('EventHub: the nodes sent to a new listener; a task event only when a task moves or advances; the stream ended on close', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  await taskFolder(layout.task(ID), ID);
  const tasks = await new TaskList(layout, { watch: false }).open();
  t.after(() => tasks.close());
  // everyMs is long: the test drives the ticks itself.
  const hub = new EventHub(layout, tasks, 30_000, 3_600_000);
  t.after(() => hub.close());
  const res = fakeResponse();
  hub.add(res as unknown as ServerResponse);
  await hub.tick();
  assert.equal(res.status, 200);
  assert.match(res.text, /event: nodes\ndata: \[\]\n\n/);
  assert.doesNotMatch(res.text, /event: task/, 'the first look only learns where tasks are');
  res.text = '';
  await hub.tick();
  assert.equal(res.text, '', 'nothing changed, nothing sent');
  await rename(layout.task(ID), layout.processingTask(ID));
  await tasks.rescan();
  const now = new Date().toISOString();
  await writeFile(layout.heartbeat('n1'), JSON.stringify({ node: 'n1', host: 'h', pid: 1, state: 'working', current: { task: ID, stage: 'render', progress: 0.25, since: now }, encoder: 'libx264', counters: {}, metrics: { render_utilization: 0, avg_render_time: null, task_throughput: 0, io_overhead: null, window_s: 3600 }, started_at: now, updated_at: now, heartbeat_ms: 1000 }));
  await hub.tick();
  const task = /event: task\ndata: (.*)\n\n/.exec(res.text);
  assert.ok(task, res.text);
  const data = JSON.parse(task[1]!) as { id: string; state: string; progress: { progress: number; node: string } };
  assert.deepEqual([data.id, data.state, data.progress.progress, data.progress.node], [ID, 'rendering', 0.25, 'n1']);
  assert.match(res.text, /event: nodes\ndata: \[\{"node":"n1"/);
  let closed = false;
  res.on('close', () => (closed = true));
  hub.close();
  assert.equal(closed, true);
});

test('EventHub: a client that does not read (over 1 MiB waiting) is dropped, one already gone is not added, and streams end when the token is rotated', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const token = (await ensureToken(layout)).file.token;
  await taskFolder(layout.task(ID), ID);
  const tasks = await new TaskList(layout, { watch: false }).open();
  t.after(() => tasks.close());
  const hub = new EventHub(layout, tasks, 30_000, 3_600_000, new TokenSource(layout));
  t.after(() => hub.close());
  const gone = fakeResponse();
  gone.destroyed = true;
  hub.add(gone as unknown as ServerResponse, token);
  assert.equal(gone.status, undefined, 'not answered: it left already');
  const slow = fakeResponse();
  const fine = fakeResponse();
  hub.add(slow as unknown as ServerResponse, token);
  hub.add(fine as unknown as ServerResponse, token);
  await hub.tick();
  slow.writableLength = MAX_BUFFERED + 1;
  fine.text = '';
  await rename(layout.task(ID), layout.processingTask(ID));
  await tasks.rescan();
  await hub.tick();
  assert.equal(slow.destroyed, true, 'the stalled reader dropped');
  assert.match(fine.text, /event: task/, 'the others still get events');
  assert.equal(fine.ended, false);
  await rotateToken(layout);
  await hub.tick();
  assert.equal(fine.ended, true, 'ended: its token is no longer valid');
});
