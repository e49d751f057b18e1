// The render worker: claim -> download -> render (one ffmpeg pass) + verify -> upload + publish,
// or fail into trash/failed/<id>/ (DESIGN §5). The stages live in their own modules (prepare,
// render, upload, settle) and overlap in the pipeline; this class composes them and owns the
// worker's life: run, runOnce, close.
import type { Registry } from 'prom-client';
import { Heartbeat } from './heartbeat.js';
import { plainCopy } from './download.js';
import type { RenderContext, WorkerEnv } from './job.js';
import { registerRenderMetrics } from './metrics.js';
import { runPipeline, type RunTotals } from './pipeline.js';
import { scratchRoot } from './scratch.js';

export type { RenderContext, TaskOutcome } from './job.js';
export type { RunTotals } from './pipeline.js';

export class RenderWorker {
  private readonly env: WorkerEnv;
  readonly scratch: string;
  readonly heartbeat: Heartbeat;
  /** Aborted by close(): stops claiming, like a SIGTERM. */
  private readonly stopper = new AbortController();
  private running: Promise<RunTotals> | null = null;
  private closing: Promise<void> | null = null;

  constructor(ctx: RenderContext, registry?: Registry) {
    this.scratch = scratchRoot(ctx.config, ctx.node);
    this.heartbeat = new Heartbeat(ctx.layout, ctx.node, ctx.encoder.name, this.scratch, ctx.config.health.heartbeatMs);
    this.env = { ...ctx, heartbeat: this.heartbeat, scratch: this.scratch, copy: ctx.copy ?? plainCopy, skip: new Set() };
    if (registry) registerRenderMetrics(registry, this.heartbeat);
  }

  private start(signal: AbortSignal | undefined, once: boolean): Promise<RunTotals> {
    if (this.running) throw new Error('this render worker is already running');
    const stop = signal ? AbortSignal.any([signal, this.stopper.signal]) : this.stopper.signal;
    this.running = runPipeline(this.env, stop, once);
    return this.running;
  }

  /** `--once`: renders every task there is, then returns. */
  runOnce(signal?: AbortSignal): Promise<RunTotals> {
    return this.start(signal, true);
  }

  /** The daemon: claims whenever a task is there, polls `render.pollIntervalMs` otherwise, until `signal` aborts or close(). */
  async run(signal: AbortSignal): Promise<void> {
    const { log, node, encoder, config } = this.env;
    log.info(`Render worker ${node} ready (encoder ${encoder.name}, scratch ${this.scratch}, prefetch ${config.render.prefetch})`);
    const t = await this.start(signal, false);
    log.info(`Render worker ${node} stopped: ${t.done} rendered, ${t.failed} failed, ${t.handedBack} handed back, ${t.abandoned} abandoned${t.split ? `, ${t.split} split into chunks` : ''}`);
  }

  /**
   * Stops claiming and drains, as a SIGTERM does: the render in progress gets
   * render.shutdownGraceMs, then it and any task downloaded ahead go back to tasks/; uploads
   * finish. Idempotent: a second call returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopper.abort(new Error('render worker closed'));
      await this.running?.catch(() => {});
    })();
    return this.closing;
  }
}
