// The render worker's Prometheus metrics: the heartbeat's numbers, read at each scrape. The
// clock is node:test's mock Date, so that the one-hour window's figures are exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Heartbeat } from '../../src/render-worker/heartbeat.js';
import { registerRenderMetrics } from '../../src/render-worker/metrics.js';
import { Layout } from '../../src/shared/layout.js';

/** The sample lines of a scrape (HELP and TYPE lines left out). */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l && !l.startsWith('#'));
}

function setup(t: { mock: { timers: { enable(o: { apis: 'Date'[]; now: number }): void } } }) {
  t.mock.timers.enable({ apis: ['Date'], now: 0 });
  const hb = new Heartbeat(new Layout('/farm'), 'node-1', 'libx264', '/scratch', 5000);
  const registry = new Registry();
  registerRenderMetrics(registry, hb);
  return { hb, registry };
}

test('a fresh worker: no task finished yet reads NaN, not a stale number; counters at zero; idle progress 0', async (t) => {
  const { registry } = setup(t);
  assert.deepEqual(await samples(registry), [
    'clipmill_render_utilization_percent 0',
    // prom-client spells NaN "Nan"; Prometheus parses floats case-insensitively.
    'clipmill_avg_render_time_seconds Nan',
    'clipmill_task_throughput_per_hour 0',
    'clipmill_io_overhead_seconds Nan',
    'clipmill_render_progress_ratio 0',
    'clipmill_render_breaker_open 0',
    'clipmill_render_tasks_total{outcome="done"} 0',
    'clipmill_render_tasks_total{outcome="failed"} 0',
    'clipmill_render_tasks_total{outcome="requeued"} 0',
    'clipmill_render_tasks_total{outcome="handed_back"} 0',
    'clipmill_render_tasks_total{outcome="abandoned"} 0',
  ]);
  const text = await registry.metrics();
  assert.match(text, /# HELP clipmill_render_tasks_total Tasks this worker finished, by outcome \(done, failed, requeued, handed_back, abandoned\)\n# TYPE clipmill_render_tasks_total gauge\n/);
  assert.match(text, /# HELP clipmill_render_utilization_percent % of wall time spent rendering, over the last hour\n/);
});

test('after a heartbeat with counters and finished tasks: the §10 metrics, the counters, the render in progress', async (t) => {
  const { hb, registry } = setup(t);
  // Ten minutes in: three tasks finished, a fourth rendering for the last 100 s.
  hb.finish({ at: 100_000, render: 60, io: 4 });
  hb.finish({ at: 200_000, render: 90, io: 6 });
  hb.finish({ at: 300_000, render: 150, io: 2 });
  Object.assign(hb.counters, { done: 3, failed: 1, handed_back: 2, abandoned: 0 });
  hb.renderingSince = 500_000;
  hb.current = { task: '0f8fad5b-d9cb-469f-a165-70867728950e', stage: 'render', progress: 0.25, since: new Date(500_000).toISOString() };
  t.mock.timers.setTime(600_000);
  assert.deepEqual(await samples(registry), [
    'clipmill_render_utilization_percent 66.7',
    'clipmill_avg_render_time_seconds 100',
    'clipmill_task_throughput_per_hour 18',
    'clipmill_io_overhead_seconds 4',
    'clipmill_render_progress_ratio 0.25',
    'clipmill_render_breaker_open 0',
    'clipmill_render_tasks_total{outcome="done"} 3',
    'clipmill_render_tasks_total{outcome="failed"} 1',
    'clipmill_render_tasks_total{outcome="requeued"} 0',
    'clipmill_render_tasks_total{outcome="handed_back"} 2',
    'clipmill_render_tasks_total{outcome="abandoned"} 0',
  ]);
  // Read at each scrape: the next one sees what changed since, and a download is not render progress.
  hb.counters.done = 4;
  hb.renderingSince = null;
  hb.current = { task: '0f8fad5b-d9cb-469f-a165-70867728950e', stage: 'upload', progress: 0.5, since: new Date(600_000).toISOString() };
  const next = await samples(registry);
  assert.ok(next.includes('clipmill_render_progress_ratio 0'), next.join('\n'));
  assert.ok(next.includes('clipmill_render_tasks_total{outcome="done"} 4'));
  assert.ok(next.includes('clipmill_render_utilization_percent 50'), 'the 300 s of finished renders in 600 s');
  hb.breaker = () => 'open';
  assert.ok((await samples(registry)).includes('clipmill_render_breaker_open 1'), 'an open breaker shows');
});
