// The render worker's Prometheus metrics (metrics.port): the heartbeat's numbers, read at each scrape.
import { Gauge, type Registry } from 'prom-client';
import type { Heartbeat } from './heartbeat.js';

export function registerRenderMetrics(registry: Registry, hb: Heartbeat): void {
  const gauge = (name: string, help: string, read: () => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        // No value yet (no task finished in the window): NaN, not a stale number.
        this.set(read() ?? Number.NaN);
      },
    });
  const m = () => hb.snapshot().metrics;
  gauge('clipmill_render_utilization_percent', '% of wall time spent rendering, over the last hour', () => m().render_utilization);
  gauge('clipmill_avg_render_time_seconds', 'Mean render time per task, over the last hour', () => m().avg_render_time);
  gauge('clipmill_task_throughput_per_hour', 'Tasks completed per hour, over the last hour', () => m().task_throughput);
  gauge('clipmill_io_overhead_seconds', 'Mean download + upload seconds per task, over the last hour', () => m().io_overhead);
  gauge('clipmill_render_progress_ratio', 'Progress of the render in progress (0-1; 0 when idle)', () => (hb.current?.stage === 'render' ? hb.current.progress : 0));
  gauge('clipmill_render_breaker_open', 'The circuit breaker: 1 open (claiming nothing after failures in a row), 0.5 half-open (one task let through), 0 closed', () => ({ open: 1, half_open: 0.5, closed: 0 })[hb.breaker()]);
  new Gauge({
    name: 'clipmill_render_tasks_total',
    help: 'Tasks this worker finished, by outcome (done, failed, requeued, handed_back, abandoned)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      for (const [outcome, n] of Object.entries(hb.counters)) this.set({ outcome }, n);
    },
  });
}
