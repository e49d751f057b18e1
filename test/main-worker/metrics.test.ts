import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { emptyTotals, MainMetrics } from '../../src/main-worker/metrics.js';

test('the gauges read the queue depths and the waiting voices when scraped', async () => {
  const registry = new Registry();
  const totals = emptyTotals();
  let depths = { ingest: 2, convert: 1, crawl: 0, plan: 1 };
  const metrics = new MainMetrics(registry, { totals, queueDepths: () => depths });
  metrics.files.inc({ outcome: 'moved' });
  metrics.rejects.inc({ code: 'RAW_EMPTY' });
  totals.waiting = 4;
  let text = await registry.metrics();
  assert.match(text, /clipmill_queue_depth\{queue="ingest"\} 2/);
  assert.match(text, /clipmill_queue_depth\{queue="convert"\} 1/);
  assert.match(text, /clipmill_voices_waiting 4/);
  assert.match(text, /clipmill_ingest_files_total\{outcome="moved"\} 1/);
  assert.match(text, /clipmill_ingest_rejects_total\{code="RAW_EMPTY"\} 1/);
  depths = { ingest: 0, convert: 0, crawl: 0, plan: 0 };
  text = await registry.metrics();
  assert.match(text, /clipmill_queue_depth\{queue="ingest"\} 0/);
});

test('totals start at zero', () => {
  assert.deepEqual(emptyTotals(), { moved: 0, converted: 0, rejected: 0, tasksCreated: 0, waiting: 0, settling: 0, errors: 0 });
});
