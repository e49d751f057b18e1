// The main worker: raw/ -> scanned/ -> tasks/. This class composes the parts, each in its file:
//  - scan (here): list raw/, keep what has been stable for ingest.stableMs, hand it to the
//    ingest queue (never waiting for it: a long conversion does not hold up the next file);
//  - ingest-queue.ts (ingest.concurrency; links on crawl.concurrency): validate, then move,
//    reject, or keep as an original;
//  - convert-queue.ts (ingest.convertConcurrency): conform footage, normalize music;
//  - narrate/queue.ts (narration.concurrency): voice narration parts, story chapters and word
//    timings, never holding up ingest;
//  - planner.ts (one pass at a time): publish a task for every voice variation that has none;
//  - startup.ts: what an interrupted run left half-done; status-file.ts: nodes/main-worker.json;
//    metrics.ts: totals and Prometheus;
//  - daemon-loop.ts (run) and once-loop.ts (runOnce): when scans happen.
// Scans run at start-up, when chokidar reports a change, when a settling file is due, and every
// ingest.scanIntervalMs whatever the watcher says.
import { relative } from 'node:path';
import type { Beats } from '../shared/media/beats.js';
import type { Registry } from 'prom-client';
import type { AssetRecord } from '../shared/assets.js';
import { ClipmillError, errorMessage } from '../shared/errors.js';
import { Catalog } from '../shared/catalog.js';
import type { MainContext } from './context.js';
import { ConvertQueue } from './convert-queue.js';
import type { convertOriginal } from './ingest/convert.js';
import type { ingestFile } from './ingest/index.js';
import { daemonLoop } from './daemon-loop.js';
import { checkHealth } from './health.js';
import { IngestQueue } from './ingest-queue.js';
import type { NarrationProvider } from './narrate/provider.js';
import { NarrationQueue } from './narrate/queue.js';
import { hasRequests } from '../shared/narration-requests.js';
import { Ledger } from './ledger.js';
import { emptyTotals, MainMetrics, type Totals } from './metrics.js';
import { onceLoop } from './once-loop.js';
import { busyAssets, Planner } from './planner.js';
import { lockRoot } from './root-lock.js';
import { limitChildMemory, startsUnderLimit } from '../shared/media/exec.js';
import { listRaw, sidecarGate, StabilityTracker, type RawFile } from './scan.js';
import { catalogAtStart, recoverAtStart } from './startup.js';
import { StatusFile } from './status-file.js';

export type { Totals } from './metrics.js';

/** For tests: stand-ins for the stages that need ffmpeg or the network. */
export interface MainWorkerStages {
  ingest?: typeof ingestFile;
  convert?: typeof convertOriginal;
  /** The narration provider (default: narration.provider's). */
  narration?: NarrationProvider;
}

export class MainWorker {
  readonly totals: Totals = emptyTotals();
  private readonly ctx: MainContext;
  private readonly metrics: MainMetrics | null;
  private readonly tracker: StabilityTracker;
  private readonly ledger: Ledger;
  private readonly ingest: IngestQueue;
  private readonly convert: ConvertQueue;
  private readonly planner: Planner;
  private readonly narration: NarrationQueue;
  private catalog: Catalog | null = null;
  private lastSettling: RawFile[] = [];
  private lastHealth = 0;
  private once = false;
  private unlock: (() => Promise<void>) | null = null;
  /** Work outside the queues that close() waits for: start-up, health checks. */
  private readonly work = new Set<Promise<unknown>>();
  /** Aborted by close(): the loops stop scanning and stop waiting. */
  private readonly stopping = new AbortController();
  /** Set by the first close(): nothing new is started from then on. */
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(ctx: MainContext, registry?: Registry, stages: MainWorkerStages = {}) {
    this.ctx = ctx;
    this.tracker = new StabilityTracker(ctx.config.ingest.stableMs);
    this.ledger = new Ledger(ctx.layout);
    this.metrics = registry ? new MainMetrics(registry, this) : null;
    const common = { ctx, totals: this.totals, metrics: this.metrics };
    this.ingest = new IngestQueue({
      ...common,
      forget: (path) => this.tracker.forget(path),
      moved: (dest, signal, record) => this.filed(dest, signal, record),
      convert: (job, signal) => this.convert.enqueue(job, signal),
      ...(stages.ingest ? { ingest: stages.ingest } : {}),
    });
    this.convert = new ConvertQueue({ ...common, converted: (dest, signal, record, beats) => this.filed(dest, signal, record, beats), retryLater: () => !this.once && !this.closed, ...(stages.convert ? { convert: stages.convert } : {}) });
    this.narration = new NarrationQueue({ ctx, filed: (dest, record, signal) => this.filed(dest, signal, record), aligned: (signal) => this.planner.schedule(signal), ...(stages.narration ? { provider: stages.narration } : {}) });
    this.planner = new Planner({
      ...common,
      ledger: this.ledger,
      status: new StatusFile(ctx.layout, ctx.log, undefined, () => this.ingest.stuckFiles(), () => this.planner.providers()),
      catalog: () => this.catalog,
      busyAssets: () => busyAssets(ctx.layout, [...this.ingest.inFlightPaths(), ...this.lastSettling.map((f) => f.path)], this.convert.originals()),
    });
  }

  /** Jobs queued or running, by queue (the clipmill_queue_depth gauge). */
  queueDepths(): Record<string, number> {
    const { ingest, crawl } = this.ingest.depths();
    return { ingest, convert: this.convert.depth(), crawl, plan: this.planner.depth(), narrate: this.narration.depth() };
  }

  /** A file entered scanned/ (with the asset record, and a track's beats, just written beside it): into the catalog, and plan again. */
  private filed(dest: string, signal?: AbortSignal, record?: AssetRecord, beats?: Beats): void {
    this.catalog?.add(this.ctx.layout.rel(dest), record, beats);
    this.planner.schedule(signal);
    // A narration text, a crawled story or a recording with a transcript may bring work to voice.
    this.narration.schedule(signal);
  }

  /** The narration queue's counts in this run: queued, done, failed. */
  narrationCounts(): Readonly<{ queued: number; done: number; failed: number }> {
    return this.narration.counts;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.work.add(p);
    const forget = () => this.work.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Takes the root's main worker lock, finishes what an earlier run left half-done, then plans once. */
  start(signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the main worker is closed'));
    return this.track(this.startInner(signal));
  }

  private async startInner(signal?: AbortSignal): Promise<void> {
    const { log, layout } = this.ctx;
    this.unlock ??= await lockRoot(layout, log);
    const mb = this.ctx.config.ingest.memoryLimitMb;
    if (!limitChildMemory(mb)) log.warn(`prlimit (util-linux) is not installed: ingest's ffmpeg and ffprobe run without the ingest.memoryLimitMb (${mb} MB) limit`);
    // (Tests of story links alone run without binaries.)
    for (const bin of [this.ctx.bins?.ffprobe.path, this.ctx.bins?.ffmpeg.path].filter((b): b is string => !!b)) {
      const why = await startsUnderLimit(bin);
      if (why) throw new ClipmillError('CONFIG_INVALID', `ingest.memoryLimitMb (${mb} MB) is too low: ${bin} cannot start under it (${why}); raise it, or set 0 for no limit`);
    }
    const { pending } = await recoverAtStart(this.ctx, this.ledger, () => this.health());
    this.catalog = await catalogAtStart(this.ctx, this.catalog, { signal: this.stopping.signal, track: (p) => this.track(p), analysed: () => this.planner.schedule(signal) });
    for (const job of pending) {
      log.info({ file: layout.rel(job.original) }, `Resuming conversion of ${layout.rel(job.original)}`);
      this.convert.enqueue(job, signal);
    }
    this.planner.schedule(signal);
    this.narration.schedule(signal);
  }

  /** Dead nodes and stale leases (health.ts), at most every health.checkIntervalMs. */
  private health(): Promise<void> {
    if (this.closed || Date.now() - this.lastHealth < this.ctx.config.health.checkIntervalMs) return Promise.resolve();
    this.lastHealth = Date.now();
    return this.track(
      (async () => {
        try {
          const h = await checkHealth(this.ctx.layout, this.ctx.config, this.ctx.log);
          this.metrics?.recovered.inc({ to: 'tasks' }, h.recovered.length);
          this.metrics?.recovered.inc({ to: 'failed' }, h.failed.length);
        } catch (err) {
          this.ctx.log.error({ err }, `Health check failed: ${errorMessage(err)}`);
        }
      })(),
    );
  }

  /** Lists raw/ and queues every file that has become stable. Returns without waiting for them. */
  async scan(signal?: AbortSignal): Promise<void> {
    if (this.closed) return;
    const files = await listRaw(this.ctx.layout.raw);
    this.ingest.forgetGone(new Set(files.map((f) => f.path)));
    const now = Date.now();
    const observed = this.tracker.observe(files, now);
    // A stable file whose sidecar is still being copied waits for it, as if it were settling.
    const { take, wait } = sidecarGate(observed.stable, observed.settling, files, [...this.ingest.inFlightPaths()].map((p) => relative(this.ctx.layout.raw, p)));
    const settling = [...observed.settling, ...wait];
    this.totals.settling = settling.length;
    this.lastSettling = settling;
    for (const f of observed.settling) this.ctx.log.debug({ file: `raw/${f.rel}` }, `Waiting for raw/${f.rel} to stop changing`);
    for (const f of wait) this.ctx.log.debug({ file: `raw/${f.rel}` }, `Waiting for the sidecar of raw/${f.rel} to stop changing`);
    for (const file of take) if (this.ingest.isDue(file.path, now, file)) this.ingest.enqueue(file, signal);
    // Planning also runs after every scan, not only after an ingest: a voice waiting for a logo
    // that appeared, or for footage filed by another way, is planned without a restart.
    this.planner.schedule(signal);
    // `clipmill narrate` leaves requests (src/shared/narration-requests.ts): one readdir per scan finds them.
    if (await hasRequests(this.ctx.layout)) this.narration.schedule(signal);
  }

  /** Resolves when no ingest, conversion or planning is queued or running. */
  async idle(): Promise<void> {
    // A finishing job may queue work on another queue (an ingest queues a conversion and a
    // plan): go round until all are empty at once.
    for (;;) {
      await this.ingest.idle();
      await this.convert.idle();
      await this.narration.idle();
      await this.planner.idle();
      const d = this.queueDepths();
      if (Object.values(d).every((n) => n === 0)) return;
    }
  }

  /**
   * Stops taking new work (the loops stop, conversion retries waiting for their time are
   * dropped: the next start resumes them), waits for the jobs already queued or running (after
   * an abort of their signal they return at once) and for a start-up or health check in
   * progress, then closes the crawler's connections and releases the root lock. Every step runs
   * even when one before it throws; the first error (or an AggregateError of all) is thrown at
   * the end. A second call returns the same promise (STYLE 6).
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = this.shutDown();
    }
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.stopping.abort();
    this.ingest.stop();
    this.convert.stop();
    this.planner.stop();
    this.narration.stop();
    const errors: unknown[] = [];
    const step = async (fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    await step(async () => {
      await Promise.allSettled([...this.work]);
      await this.idle();
    });
    await step(() => this.ingest.closeAgent());
    await step(async () => {
      const unlock = this.unlock;
      this.unlock = null;
      // A lock left behind goes stale and the next main worker takes it over (root-lock.ts).
      await unlock?.().catch((err: unknown) => this.ctx.log.warn({ err }, `Could not release the root lock: ${errorMessage(err)}`));
    });
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `Closing the main worker failed in ${errors.length} ways: ${errors.map(errorMessage).join('; ')}`);
  }

  /**
   * `--once`: recovers, ingests and converts everything that is stable, waiting while files
   * settle (a file still changing after many stability windows is left for the next run),
   * plans, and returns the totals.
   */
  async runOnce(signal?: AbortSignal): Promise<Totals> {
    this.once = true;
    const stop = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    try {
      await onceLoop(
        this.ctx,
        {
          start: () => this.start(signal),
          scan: () => this.scan(signal),
          idle: () => this.idle(),
          schedulePlan: () => this.planner.schedule(signal),
          settling: () => this.totals.settling,
          changed: () => this.ingest.changed,
          resetChanged: () => this.ingest.resetChanged(),
          nextDueIn: (now) => this.tracker.nextDueIn(now),
        },
        stop,
      );
      return this.totals;
    } finally {
      await this.close();
    }
  }

  /** The daemon, until `signal` aborts (or close() is called); then it stops the watcher and drains. */
  async run(signal: AbortSignal): Promise<void> {
    let started = false;
    try {
      await daemonLoop(
        this.ctx,
        {
          start: async () => {
            await this.start(signal);
            started = true;
          },
          scan: () => this.scan(signal),
          health: () => this.health(),
          nextDueIn: (now) => this.tracker.nextDueIn(now),
        },
        AbortSignal.any([signal, this.stopping.signal]),
      );
    } finally {
      await this.close();
      if (started) this.ctx.log.info('Main worker stopped');
    }
  }
}
