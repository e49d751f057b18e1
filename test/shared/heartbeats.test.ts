// One rule for "alive" (clipmill status and the HTTP API): a fresh heartbeat of a node that is
// neither stopped nor dead; corrupt heartbeats skipped.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { heartbeatAlive, readNodes } from '../../src/shared/heartbeats.js';
import { Layout } from '../../src/shared/layout.js';
import type { HeartbeatFile } from '../../src/shared/node-files.js';
import { tempDir } from '../helpers.js';

const hb = (node: string, state: string, updated: string) => ({ node, host: 'h', pid: 1, state, current: null, encoder: 'libx264', counters: {}, metrics: { render_utilization: 0, avg_render_time: null, task_throughput: 0, io_overhead: null, window_s: 3600 }, started_at: updated, updated_at: updated, heartbeat_ms: 1000 });

test('heartbeatAlive and readNodes: fresh and not stopped is alive; stale, stopped or dead is not; a corrupt file is skipped', async (t) => {
  const now = Date.parse('2026-01-01T00:01:00.000Z');
  const at = (s: number) => new Date(now - s * 1000).toISOString();
  assert.equal(heartbeatAlive(hb('a', 'idle', at(5)) as HeartbeatFile, 30_000, now), true);
  assert.equal(heartbeatAlive(hb('a', 'idle', at(31)) as HeartbeatFile, 30_000, now), false);
  assert.equal(heartbeatAlive(hb('a', 'stopped', at(1)) as HeartbeatFile, 30_000, now), false);
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  await writeFile(layout.heartbeat('b'), JSON.stringify(hb('b', 'working', at(1))));
  await writeFile(layout.heartbeat('a'), JSON.stringify(hb('a', 'working', at(60))));
  await writeFile(layout.heartbeat('c'), '{"node": "c",');
  assert.deepEqual((await readNodes(layout, 30_000, now)).map((n) => [n.node, n.alive]), [['a', false], ['b', true]]);
});
