import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsOf } from '../../src/render-worker/heartbeat.js';

test('§10 metrics over the window: utilization, mean render time, throughput, io overhead', () => {
  const start = 0;
  const now = 600_000; // 10 minutes running
  const finished = [
    { at: 100_000, render: 60, io: 4 },
    { at: 200_000, render: 90, io: 6 },
    { at: 300_000, render: 150, io: 2 },
  ];
  const m = metricsOf(finished, 500_000, start, now);
  // 300 s of finished renders + 100 s of the current one, in 600 s.
  assert.equal(m.render_utilization, 66.7);
  assert.equal(m.avg_render_time, 100);
  assert.equal(m.task_throughput, 18);
  assert.equal(m.io_overhead, 4);
  assert.equal(m.window_s, 600);
  const idle = metricsOf([], null, 0, 7_200_000);
  assert.deepEqual([idle.render_utilization, idle.avg_render_time, idle.task_throughput, idle.window_s], [0, null, 0, 3600], 'the window is the last hour');
});
