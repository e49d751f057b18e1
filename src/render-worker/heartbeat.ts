// The render worker's heartbeat: nodes/<node_id>.json, rewritten atomically every
// health.heartbeatMs: what it is doing, on which task and how far, its encoder, free disk,
// counters, and the spec's §10 metrics over the last hour. `clipmill status` reads it; a
// heartbeat older than a few intervals means the worker is gone.
import { hostname } from 'node:os';
import { freeBytes } from '../shared/disk.js';
import { writeJson } from '../shared/json.js';
import type { Layout } from '../shared/layout.js';
import type { BreakerState } from '../shared/breaker.js';
import { HeartbeatSchema, type HeartbeatFile, type RenderMetrics, type WorkerState } from '../shared/node-files.js';

export type { WorkerState };

export interface FinishedTask {
  at: number;
  render: number;
  io: number;
}

/** The spec's §10 metrics, as the heartbeat's schema declares them. */
export type Metrics = RenderMetrics;

const WINDOW_MS = 60 * 60 * 1000;

/** Pure: the §10 metrics of the tasks finished within the window ending at `now`. */
export function metricsOf(finished: FinishedTask[], renderingSince: number | null, startedAt: number, now: number): Metrics {
  const from = Math.max(startedAt, now - WINDOW_MS);
  const window = Math.max(1, now - from);
  const recent = finished.filter((f) => f.at >= from);
  // Render time in the window: finished renders, plus the part of the current one so far.
  const rendering = recent.reduce((s, f) => s + f.render * 1000, 0) + (renderingSince !== null ? now - Math.max(renderingSince, from) : 0);
  const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000 : null);
  return {
    render_utilization: Math.round(Math.min(100, (100 * rendering) / window) * 10) / 10,
    avg_render_time: mean(recent.map((f) => f.render)),
    task_throughput: Math.round((recent.length / (window / 3_600_000)) * 10) / 10,
    io_overhead: mean(recent.map((f) => f.io)),
    window_s: Math.round(window / 1000),
  };
}

export class Heartbeat {
  private readonly path: string;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  state: WorkerState = 'starting';
  current: HeartbeatFile['current'] = null;
  renderingSince: number | null = null;
  readonly counters = { done: 0, failed: 0, requeued: 0, handed_back: 0, abandoned: 0 };
  /** The circuit breaker's state (breaker.ts), read when the heartbeat is written: the pipeline gives its breaker's. */
  breaker: () => BreakerState = () => 'closed';
  readonly finished: FinishedTask[] = [];

  constructor(
    private readonly layout: Layout,
    private readonly node: string,
    private readonly encoder: string,
    private readonly scratch: string,
    private readonly intervalMs: number,
  ) {
    this.path = layout.heartbeat(node);
  }

  start(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  finish(task: FinishedTask): void {
    this.finished.push(task);
    while (this.finished.length && this.finished[0]!.at < Date.now() - WINDOW_MS) this.finished.shift();
  }

  /** The heartbeat as of now, without the free disk space (measured only when written). */
  snapshot(): HeartbeatFile {
    const now = Date.now();
    const breaker = this.breaker();
    return {
      node: this.node,
      host: hostname(),
      pid: process.pid,
      state: this.state,
      current: this.current,
      encoder: this.encoder,
      counters: this.counters,
      breaker: breaker === 'half_open' ? 'half-open' : breaker,
      metrics: metricsOf(this.finished, this.renderingSince, this.started, now),
      started_at: new Date(this.started).toISOString(),
      updated_at: new Date(now).toISOString(),
      heartbeat_ms: this.intervalMs,
    };
  }

  /**
   * Writes now (one write at a time). Failures only lose a beat: a write error, and also a
   * heartbeat its own schema refuses (a bug, never expected), which must not stop the worker.
   */
  beat(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const free = async (p: string) => freeBytes(p).catch(() => null);
      const free_disk_bytes = { scratch: await free(this.scratch), root: await free(this.layout.root) };
      await writeJson(HeartbeatSchema, this.path, { ...this.snapshot(), free_disk_bytes }).catch(() => {});
    });
    return this.writing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.state = 'stopped';
    this.current = null;
    this.renderingSince = null;
    await this.beat();
  }
}
