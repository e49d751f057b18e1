// The convert queue (ingest.convertConcurrency): originals kept under scanned/<kind>/<category>/
// original/ are conformed (footage) or loudness-normalized (music) by ingest/convert.ts. A
// conversion that fails for a machine reason is queued again after CONVERT_RETRY's wait; a
// --once run leaves it to the next run's start-up recovery instead.
import type { Beats } from '../shared/media/beats.js';
import PQueue from 'p-queue';
import type { AssetRecord } from '../shared/assets.js';
import { errorMessage } from '../shared/errors.js';
import { RetryPolicy } from '../shared/retry.js';
import type { MainContext } from './context.js';
import { convertOriginal, type ConvertJob } from './ingest/convert.js';
import type { MainMetrics, Totals } from './metrics.js';

/**
 * Retries of a conversion that failed for a machine reason (a killed ffmpeg, a disk error):
 * 5 retries a minute apart. On the sixth try, a tool that fails on the original every time is
 * its fault (it goes to trash/invalid/ with the reason); a file system error is retried a
 * minute apart for as long as it lasts. A fixed wait: a conversion is long, and one a minute is
 * cheap next to it.
 */
export const CONVERT_RETRY = new RetryPolicy({ tries: 1 + 5, baseMs: 60_000, factor: 1 });

export interface ConvertQueueOptions {
  ctx: MainContext;
  totals: Totals;
  metrics: MainMetrics | null;
  /** An original was converted into scanned/ (`dest`: the new file). */
  converted(dest: string, signal?: AbortSignal, record?: AssetRecord, beats?: Beats): void;
  /** Whether a conversion that failed for a machine reason is tried again later (false in --once). */
  retryLater(): boolean;
  /** Default CONVERT_RETRY. */
  policy?: RetryPolicy;
  /** Default convertOriginal (ingest/convert.ts); tests pass a stub. */
  convert?: typeof convertOriginal;
}

export class ConvertQueue {
  private readonly opts: ConvertQueueOptions;
  private readonly policy: RetryPolicy;
  private readonly convert: typeof convertOriginal;
  private readonly queue: PQueue;
  /** Originals queued or being converted. */
  private readonly converting = new Set<string>();
  /** Failed tries (machine reasons) of each original, since its last success or rejection. */
  private readonly failures = new Map<string, number>();
  /** Retries waiting for their time. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(opts: ConvertQueueOptions) {
    this.opts = opts;
    this.policy = opts.policy ?? CONVERT_RETRY;
    this.convert = opts.convert ?? convertOriginal;
    this.queue = new PQueue({ concurrency: opts.ctx.config.ingest.convertConcurrency });
  }

  depth(): number {
    return this.queue.size + this.queue.pending;
  }

  /** Originals queued or being converted (absolute paths). */
  originals(): Iterable<string> {
    return this.converting;
  }

  /** Retries waiting for their time. */
  get retriesWaiting(): number {
    return this.timers.size;
  }

  /** Queues a conversion unless that original is already queued; false when nothing was queued. */
  enqueue(job: ConvertJob, signal?: AbortSignal): boolean {
    if (this.stopped || this.converting.has(job.original)) return false;
    this.converting.add(job.original);
    void this.queue.add(() => this.run(job, signal)).finally(() => this.converting.delete(job.original));
    return true;
  }

  private async run(job: ConvertJob, signal?: AbortSignal): Promise<void> {
    const { ctx, totals, metrics } = this.opts;
    if (signal?.aborted) return;
    try {
      const failures = this.failures.get(job.original) ?? 0;
      const r = await this.convert(ctx, job, signal, { lastTry: this.policy.exhausted(failures + 1) });
      if (r.status === 'retry') this.failures.set(job.original, failures + 1);
      else this.failures.delete(job.original);
      metrics?.files.inc({ outcome: r.status === 'done' ? 'converted' : r.status === 'failed' ? 'rejected' : 'retry' });
      if (r.status === 'failed') metrics?.rejects.inc({ code: 'CONVERT_FAILED' });
      if (r.status === 'done') {
        totals.converted++;
        this.opts.converted(r.dest, signal, r.record, r.beats);
      } else if (r.status === 'failed') totals.rejected++;
      else {
        totals.errors++;
        // The daemon tries again later; a --once run leaves it to the next run's recovery.
        if (this.opts.retryLater() && !signal?.aborted) this.retryAfter(this.policy.delay(failures + 1), job, signal);
      }
    } catch (err) {
      if (signal?.aborted) return;
      totals.errors++;
      ctx.log.error({ err }, `Could not convert ${ctx.layout.rel(job.original)}: ${errorMessage(err)}`);
    }
  }

  private retryAfter(ms: number, job: ConvertJob, signal?: AbortSignal): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(job, signal);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Resolves when nothing is queued or running (retries waiting for their time do not count). */
  async idle(): Promise<void> {
    await this.queue.onIdle();
  }

  /**
   * Takes no more conversions and drops the retries waiting for their time (their originals stay
   * under original/ and the next start resumes them); what is queued still runs.
   */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
