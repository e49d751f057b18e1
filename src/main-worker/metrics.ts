// What the main worker counts: the totals (the --once summary, nodes/main-worker.json) and the
// Prometheus metrics served on metrics.port.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface Totals {
  /** Raw files moved into scanned/ as they were. */
  moved: number;
  /** Originals converted (footage conformed, music normalized) into scanned/. */
  converted: number;
  rejected: number;
  tasksCreated: number;
  /** Voices waiting for assets after the last planning pass. */
  waiting: number;
  /** Raw files still changing after the last scan. */
  settling: number;
  /** Unexpected errors (not rejects): I/O failures and the like. */
  errors: number;
}

export function emptyTotals(): Totals {
  return { moved: 0, converted: 0, rejected: 0, tasksCreated: 0, waiting: 0, settling: 0, errors: 0 };
}

/** What the gauges read when Prometheus scrapes. */
export interface MetricsSource {
  queueDepths(): Record<string, number>;
  readonly totals: Totals;
}

/** The main worker's Prometheus metrics (metrics.port). */
export class MainMetrics {
  readonly files: Counter;
  readonly rejects: Counter;
  readonly tasks: Counter;
  readonly recovered: Counter;
  constructor(registry: Registry, source: MetricsSource) {
    this.files = new Counter({ name: 'clipmill_ingest_files_total', help: 'Raw files taken, by outcome (moved, converted, rejected, retry)', labelNames: ['outcome'], registers: [registry] });
    this.rejects = new Counter({ name: 'clipmill_ingest_rejects_total', help: 'Files moved to trash/invalid, by error code', labelNames: ['code'], registers: [registry] });
    this.tasks = new Counter({ name: 'clipmill_tasks_created_total', help: 'Render tasks published', registers: [registry] });
    this.recovered = new Counter({ name: 'clipmill_tasks_recovered_total', help: 'Tasks taken back from dead render nodes, by destination (tasks, failed)', labelNames: ['to'], registers: [registry] });
    new Gauge({
      name: 'clipmill_queue_depth',
      help: 'Jobs queued or running in the main worker, by queue',
      labelNames: ['queue'],
      registers: [registry],
      collect() {
        for (const [name, size] of Object.entries(source.queueDepths())) this.set({ queue: name }, size);
      },
    });
    new Gauge({
      name: 'clipmill_voices_waiting',
      help: 'Voice files waiting for footage or music',
      registers: [registry],
      collect() {
        this.set(source.totals.waiting);
      },
    });
  }
}
