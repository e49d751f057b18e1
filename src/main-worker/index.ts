// The main worker: raw/ -> scanned/ -> tasks/.
//  - scan: list raw/, keep what has been stable for ingest.stableMs, hand it to the ingest queue
//    (never waiting for it: a long conversion does not hold up the next file);
//  - ingest queue (ingest.concurrency): validate, then move, reject, or keep as an original;
//  - convert queue (ingest.convertConcurrency): conform footage, normalize music;
//  - plan queue (one at a time): publish a task for every voice variation that has none.
// Scans run at start-up, when chokidar reports a change, when a settling file is due, and every
// ingest.scanIntervalMs whatever the watcher says.
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import { Counter, Gauge, type Registry } from 'prom-client';
import { parseResolution } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { exists } from '../shared/fs.js';
import { probe } from '../shared/media/probe.js';
import { createRng, newSeed } from '../shared/rng.js';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Catalog } from './catalog.js';
import { Ledger } from './ledger.js';
import { parseMetadata } from '../shared/task.js';
import { writeJsonAtomic } from '../shared/fs.js';
import type { MainContext } from './context.js';
import { convertOriginal, type ConvertJob } from './ingest/convert.js';
import { ingestFile } from './ingest/index.js';
import { planTask } from './plan-task.js';
import { recover } from './recover.js';
import { lockRoot } from './root-lock.js';
import { checkHealth } from './health.js';
import { listRaw, StabilityTracker, type RawFile } from './scan.js';
import { watchRaw } from './watch.js';
import type { Agent } from 'undici';
import { crawlOptions } from './crawl/crawl.js';
import { createCrawlAgent } from './crawl/fetch.js';
import { taskIdFor, writeTask } from './write-task.js';
import { cleanPublishTemps as cleanTaskTemps, findTask } from '../shared/protocol/publish.js';

/**
 * Machine failures (a killed or crashed ffmpeg, a timeout) on one file before its failure is
 * taken to be the file's: a tool that crashes on the same input every time is the input's fault.
 */
const MAX_TRANSIENT_TRIES = 5;

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

/** The main worker's Prometheus metrics (metrics.port). */
class MainMetrics {
  readonly files: Counter;
  readonly rejects: Counter;
  readonly tasks: Counter;
  readonly recovered: Counter;
  constructor(registry: Registry, worker: MainWorker) {
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
        for (const [name, size] of Object.entries(worker.queueDepths())) this.set({ queue: name }, size);
      },
    });
    new Gauge({
      name: 'clipmill_voices_waiting',
      help: 'Voice files waiting for footage or music',
      registers: [registry],
      collect() {
        this.set(worker.totals.waiting);
      },
    });
  }
}

export class MainWorker {
  private readonly ctx: MainContext;
  private readonly metrics: MainMetrics | null;
  private readonly tracker: StabilityTracker;
  private readonly ingestQ: PQueue;
  private readonly convertQ: PQueue;
  private readonly planQ = new PQueue({ concurrency: 1 });
  /** Story links: network-bound, on their own queue (crawl.concurrency). */
  private readonly crawlQ: PQueue;
  private agent: Agent | null = null;
  private readonly inFlight = new Set<string>();
  private readonly converting = new Set<string>();
  private planQueued = false;
  /** Voices waiting for assets: the reason and since when (logged once per reason). */
  private readonly waiting = new Map<string, { reason: string; since: string }>();
  private catalog: Catalog | null = null;
  private readonly ledger: Ledger;
  private readonly startedAt = new Date().toISOString();
  private readonly skippedLogged = new Set<string>();
  private readonly voiceDurations = new Map<string, number>();
  /** Voices all of whose variations have a task: never planned again by this process. */
  private readonly planned = new Set<string>();
  /** Raw files whose last try failed for a machine reason: not before `until`. */
  private readonly backoff = new Map<string, { tries: number; until: number }>();
  private lastSettling: RawFile[] = [];
  private changedThisRound = false;
  private once = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly convertTries = new Map<string, number>();
  private unlock: (() => Promise<void>) | null = null;
  readonly totals: Totals = { moved: 0, converted: 0, rejected: 0, tasksCreated: 0, waiting: 0, settling: 0, errors: 0 };

  constructor(ctx: MainContext, registry?: Registry) {
    this.ctx = ctx;
    this.tracker = new StabilityTracker(ctx.config.ingest.stableMs);
    this.ingestQ = new PQueue({ concurrency: ctx.config.ingest.concurrency });
    this.convertQ = new PQueue({ concurrency: ctx.config.ingest.convertConcurrency });
    this.crawlQ = new PQueue({ concurrency: ctx.config.crawl.concurrency });
    this.ledger = new Ledger(ctx.layout);
    this.metrics = registry ? new MainMetrics(registry, this) : null;
  }

  queueDepths(): Record<string, number> {
    const d = (q: PQueue) => q.size + q.pending;
    return { ingest: d(this.ingestQ), convert: d(this.convertQ), crawl: d(this.crawlQ), plan: d(this.planQ) };
  }

  private crawlAgent(): Agent {
    this.agent ??= createCrawlAgent(crawlOptions(this.ctx.config));
    return this.agent;
  }

  /** Closes the crawler's connections (idle ones would keep a --once process alive). */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const agent = this.agent;
    this.agent = null;
    await agent?.close();
    const unlock = this.unlock;
    this.unlock = null;
    await unlock?.().catch(() => {});
  }

  /** Takes the root's main worker lock, finishes what an earlier run left half-done, then plans once. */
  async start(signal?: AbortSignal): Promise<void> {
    const { log, layout } = this.ctx;
    this.unlock ??= await lockRoot(layout, log);
    const { temps, publications, pending } = await recover(this.ctx);
    if (publications) log.warn(`Finished ${publications} story chunk publication(s) an interrupted run had started`);
    if (temps) log.warn(`Removed ${temps} temporary file(s) an interrupted run left in scanned/`);
    const removed = await cleanTaskTemps(layout);
    if (removed) log.warn(`Removed ${removed} half-built task folder(s) an interrupted run left in tasks/`);
    await this.health();
    const rebuilt = await this.ledger.rebuildIfMissing();
    if (rebuilt !== null && rebuilt > 0) log.warn(`Rebuilt the task ledger (tasks/.ledger/) from ${rebuilt} task folder(s)`);
    this.catalog ??= await Catalog.load(layout);
    const size = this.catalog.size;
    log.info(`Catalog of scanned/: ${size.clips} clip(s), ${size.music} music track(s), ${size.voices} voice file(s)`);
    for (const job of pending) {
      log.info({ file: layout.rel(job.original) }, `Resuming conversion of ${layout.rel(job.original)}`);
      this.enqueueConvert(job, signal);
    }
    this.schedulePlan(signal);
  }

  private lastHealth = 0;

  /** Dead nodes and stale leases (health.ts), at most every health.checkIntervalMs. */
  private async health(): Promise<void> {
    if (Date.now() - this.lastHealth < this.ctx.config.health.checkIntervalMs) return;
    this.lastHealth = Date.now();
    try {
      const h = await checkHealth(this.ctx.layout, this.ctx.config, this.ctx.log);
      this.metrics?.recovered.inc({ to: 'tasks' }, h.recovered.length);
      this.metrics?.recovered.inc({ to: 'failed' }, h.failed.length);
    } catch (err) {
      this.ctx.log.error({ err }, `Health check failed: ${errorMessage(err)}`);
    }
  }

  /** Lists raw/ and queues every file that has become stable. Returns without waiting for them. */
  async scan(signal?: AbortSignal): Promise<void> {
    const files = await listRaw(this.ctx.layout.raw);
    const now = Date.now();
    const { stable, settling } = this.tracker.observe(files, now);
    this.totals.settling = settling.length;
    this.lastSettling = settling;
    for (const f of settling) this.ctx.log.debug({ file: `raw/${f.rel}` }, `Waiting for raw/${f.rel} to stop changing`);
    for (const file of stable) {
      if (this.inFlight.has(file.path) || (this.backoff.get(file.path)?.until ?? 0) > now) continue;
      this.enqueueIngest(file, signal);
    }
    // Planning also runs after every scan, not only after an ingest: a voice waiting for a logo
    // that appeared, or for footage filed by another way, is planned without a restart.
    this.schedulePlan(signal);
  }

  private enqueueIngest(file: RawFile, signal?: AbortSignal): void {
    const { ctx } = this;
    this.inFlight.add(file.path);
    const isLink = file.rel.startsWith('story/') && file.rel.split('/')[3] === 'link';
    void (isLink ? this.crawlQ : this.ingestQ)
      .add(async () => {
        if (signal?.aborted) return;
        try {
          const lastTry = (this.backoff.get(file.path)?.tries ?? 0) >= MAX_TRANSIENT_TRIES;
          const out = await ingestFile(ctx, file, signal, { ...(isLink ? { agent: this.crawlAgent() } : {}), lastTry });
          if (out.status === 'moved' || out.status === 'convert' || out.status === 'rejected' || out.status === 'retry') this.metrics?.files.inc({ outcome: out.status === 'convert' ? 'moved' : out.status });
          if (out.status === 'rejected') this.metrics?.rejects.inc({ code: out.code });
          if (out.status === 'moved') {
            this.totals.moved++;
            this.catalog?.add(ctx.layout.rel(out.dest));
            this.schedulePlan(signal);
          } else if (out.status === 'convert') {
            this.enqueueConvert(out.job, signal);
          } else if (out.status === 'changed') {
            this.changedThisRound = true;
            ctx.log.info({ file: `raw/${file.rel}` }, `raw/${file.rel} changed while it was being checked; it will be taken once it settles again`);
          } else if (out.status === 'retry') {
            this.totals.errors++;
            const tries = (this.backoff.get(file.path)?.tries ?? 0) + 1;
            const wait = Math.min(10 * 60_000, 2000 * 2 ** (tries - 1));
            this.backoff.set(file.path, { tries, until: Date.now() + wait });
            ctx.log.error({ file: `raw/${file.rel}` }, `Could not check raw/${file.rel}: ${out.message}; it stays in raw/ and is tried again in ${Math.round(wait / 1000)} s`);
          } else if (out.status === 'rejected') this.totals.rejected++;
          else if (out.status === 'skipped' && !this.skippedLogged.has(file.path)) {
            this.skippedLogged.add(file.path);
            ctx.log.info({ file: `raw/${file.rel}` }, `Left raw/${file.rel} in place: ${out.reason}`);
          }
          if (out.status !== 'retry') this.backoff.delete(file.path);
          if (out.status !== 'skipped') this.tracker.forget(file.path);
        } catch (err) {
          if (signal?.aborted) return;
          this.totals.errors++;
          ctx.log.error({ file: `raw/${file.rel}`, err }, `Could not ingest raw/${file.rel}: ${errorMessage(err)}`);
        }
      })
      .finally(() => this.inFlight.delete(file.path));
  }

  private enqueueConvert(job: ConvertJob, signal?: AbortSignal): void {
    if (this.converting.has(job.original)) return;
    this.converting.add(job.original);
    void this.convertQ
      .add(async () => {
        if (signal?.aborted) return;
        try {
          const tries = this.convertTries.get(job.original) ?? 0;
          const r = await convertOriginal(this.ctx, job, signal, { lastTry: tries >= MAX_TRANSIENT_TRIES });
          if (r.status === 'retry') this.convertTries.set(job.original, tries + 1);
          else this.convertTries.delete(job.original);
          this.metrics?.files.inc({ outcome: r.status === 'done' ? 'converted' : r.status === 'failed' ? 'rejected' : 'retry' });
          if (r.status === 'failed') this.metrics?.rejects.inc({ code: 'CONVERT_FAILED' });
          if (r.status === 'done') {
            this.totals.converted++;
            this.catalog?.add(this.ctx.layout.rel(r.dest));
            this.schedulePlan(signal);
          } else if (r.status === 'failed') this.totals.rejected++;
          else {
            this.totals.errors++;
            // The daemon tries again later; a --once run leaves it to the next run's recovery.
            if (!this.once && !signal?.aborted) {
              const t = setTimeout(() => {
                this.timers.delete(t);
                this.enqueueConvert(job, signal);
              }, 60_000);
              t.unref();
              this.timers.add(t);
            }
          }
        } catch (err) {
          if (signal?.aborted) return;
          this.totals.errors++;
          this.ctx.log.error({ err }, `Could not convert ${this.ctx.layout.rel(job.original)}: ${errorMessage(err)}`);
        }
      })
      .finally(() => this.converting.delete(job.original));
  }

  private schedulePlan(signal?: AbortSignal): void {
    if (this.planQueued) return;
    this.planQueued = true;
    void this.planQ.add(async () => {
      this.planQueued = false;
      if (signal?.aborted) return;
      try {
        await this.planTasks(signal);
      } catch (err) {
        if (signal?.aborted) return;
        this.totals.errors++;
        this.ctx.log.error({ err }, `Planning failed: ${errorMessage(err)}`);
      }
    });
  }

  /** Resolves when no ingest, conversion or planning is queued or running. */
  async idle(): Promise<void> {
    const queues = [this.ingestQ, this.crawlQ, this.convertQ, this.planQ];
    for (;;) {
      for (const q of queues) await q.onIdle();
      if (queues.every((q) => q.size + q.pending === 0)) return;
    }
  }

  /** The category's logo (tasks.categories.<name>.logo, null for none), else render.logo. */
  private logoPath(category: string): string | null {
    const own = this.ctx.config.tasks.categories[category];
    const logo = own && own.logo !== undefined ? own.logo : this.ctx.config.render.logo;
    if (!logo) return null;
    return isAbsolute(logo) ? logo : join(this.ctx.layout.root, logo);
  }

  /**
   * Categories whose footage or music is still arriving: settling in raw/, being checked, or
   * being converted. Planning waits for them, so that a task is not built from the part of a
   * drop that happened to be filed first.
   */
  private busyCategories(): Set<string> {
    const busy = new Set<string>();
    const raw = this.ctx.layout.raw;
    for (const p of [...this.inFlight, ...this.lastSettling.map((f) => f.path)]) {
      const parts = p.slice(raw.length + 1).split('/');
      if ((parts[0] === 'video' || parts[0] === 'music') && parts.length === 3) busy.add(parts[1]!);
    }
    const scanned = this.ctx.layout.scanned;
    for (const p of this.converting) {
      const parts = p.slice(scanned.length + 1).split('/');
      if (parts[0] === 'video' || parts[0] === 'music') busy.add(parts[1]!);
    }
    return busy;
  }

  private async planTasks(signal?: AbortSignal): Promise<void> {
    const { ctx } = this;
    const { config, layout, log } = ctx;
    const catalog = this.catalog;
    if (!catalog) return;
    const busy = this.busyCategories();
    const baseRules = { ...parseResolution(config.render.resolution), classFallback: config.tasks.classFallback };
    const waitingNow = new Map<string, string>();
    for (const voice of catalog.voiceList()) {
      if (signal?.aborted) return;
      if (this.planned.has(voice.path)) continue;
      const variations = config.tasks.variationsPerVoice;
      const todo: number[] = [];
      const avoid: string[][] = [];
      for (let v = 0; v < variations; v++) {
        const id = taskIdFor(voice.path, v);
        if (!(await this.ledger.has(id, { voice: voice.path, variation: v }))) todo.push(v);
        else if (variations > 1) avoid.push(await this.sequenceOf(id));
      }
      if (todo.length === 0) {
        this.planned.add(voice.path);
        continue;
      }
      if (busy.has(voice.category)) {
        log.debug({ voice: voice.path }, `Planning of ${voice.path} waits: footage or music of ${voice.category} is still being filed`);
        continue;
      }
      try {
        let duration = this.voiceDurations.get(voice.path);
        if (duration === undefined) {
          duration = (await probe(ctx.bins.ffprobe.path, layout.abs(voice.path), { signal })).duration;
          this.voiceDurations.set(voice.path, duration);
        }
        const assets = catalog.category(voice.category);
        const logo = this.logoPath(voice.category);
        const rules = { ...baseRules, frame: config.tasks.categories[voice.category]?.frame === true };
        let waiting: string | null = null;
        if (logo && !(await exists(logo))) waiting = `render.logo ${logo} does not exist`;
        for (const variation of todo) {
          if (waiting) break;
          const seed = newSeed();
          const result = planTask({ duration, category: voice.category }, assets, rules, createRng(seed), avoid);
          if (!result.ok) {
            waiting = result.waiting;
            break;
          }
          const id = taskIdFor(voice.path, variation);
          const published = await writeTask(layout, { id, voice, voiceDuration: duration, variation, seed, plan: result.plan, logo }, config);
          await this.ledger.record({ task_id: id, voice: voice.path, variation, created_at: new Date().toISOString() });
          avoid.push(result.plan.clips.map((c) => c.path));
          if (!published) continue;
          this.totals.tasksCreated++;
          this.metrics?.tasks.inc();
          log.info(
            { task: id, voice: voice.path },
            `Created task tasks/${id} for ${voice.path} (variation ${variation + 1}/${variations}, ${duration.toFixed(1)} s, ${result.plan.clips.length} clips from ${result.plan.videoClass}, music ${result.plan.music.path})`,
          );
        }
        if (waiting) {
          waitingNow.set(voice.path, waiting);
          if (this.waiting.get(voice.path)?.reason !== waiting) log.warn({ voice: voice.path }, `Voice ${voice.path} is waiting: ${waiting}`);
        }
      } catch (err) {
        if (signal?.aborted) return;
        this.totals.errors++;
        log.error({ voice: voice.path, err }, `Could not plan a task for ${voice.path}: ${errorMessage(err)}`);
      }
    }
    for (const voice of [...this.waiting.keys()]) if (!waitingNow.has(voice)) this.waiting.delete(voice);
    for (const [voice, reason] of waitingNow) {
      const prev = this.waiting.get(voice);
      this.waiting.set(voice, { reason, since: prev?.reason === reason ? prev.since : new Date().toISOString() });
    }
    this.totals.waiting = this.waiting.size;
    await this.writeStatus();
  }

  /** The clip sequence of an existing task (for distinct variations); empty when unreadable. */
  private async sequenceOf(id: string): Promise<string[]> {
    const dir = await findTask(this.ctx.layout, id);
    if (!dir) return [];
    try {
      return parseMetadata(await readFile(join(dir, 'metadata.json'), 'utf8')).video_files.map((c) => c.path);
    } catch {
      return [];
    }
  }

  /**
   * nodes/main-worker.json: who holds the root, and which voices wait for what (what
   * `clipmill status` lists). Written atomically after every planning pass.
   */
  private async writeStatus(): Promise<void> {
    const waiting = [...this.waiting].map(([voice, w]) => ({ voice, reason: w.reason, since: w.since }));
    await writeJsonAtomic(join(this.ctx.layout.nodes, 'main-worker.json'), { host: hostname(), pid: process.pid, started_at: this.startedAt, updated_at: new Date().toISOString(), totals: this.totals, waiting }).catch((err: unknown) =>
      this.ctx.log.warn({ err }, `Could not write nodes/main-worker.json: ${errorMessage(err)}`),
    );
  }

  /**
   * `--once`: recovers, ingests and converts everything that is stable, waiting while files
   * settle (a file still changing after many stability windows is left for the next run),
   * plans, and returns the totals.
   */
  async runOnce(signal?: AbortSignal): Promise<Totals> {
    this.once = true;
    try {
      return await this.onceInner(signal);
    } finally {
      await this.close();
    }
  }

  private async onceInner(signal?: AbortSignal): Promise<Totals> {
    await this.start(signal);
    const maxRounds = 10;
    for (let round = 0; ; round++) {
      this.changedThisRound = false;
      await this.scan(signal);
      await this.idle();
      if ((this.totals.settling === 0 && !this.changedThisRound) || signal?.aborted) break;
      if (round >= maxRounds) {
        this.ctx.log.warn(`${this.totals.settling} file(s) in raw/ are still changing; left for the next run`);
        break;
      }
      await sleep(Math.min(this.tracker.nextDueIn(Date.now()), this.ctx.config.ingest.stableMs) + 20, undefined, signal ? { signal } : {}).catch(() => {});
    }
    this.schedulePlan(signal);
    await this.idle();
    return this.totals;
  }

  /** The daemon, until `signal` aborts; then it stops the watcher and drains its queues. */
  async run(signal: AbortSignal): Promise<void> {
    const { log, config, layout } = this.ctx;
    let wake: (() => void) | null = null;
    const watcher = watchRaw(layout.raw, config, log, () => wake?.());
    try {
      await this.start(signal);
    } catch (err) {
      await watcher.close();
      throw err;
    }
    log.info(`Main worker watching ${layout.raw} (${config.watch.usePolling ? `polling every ${config.watch.pollingIntervalMs} ms` : 'file system events'}, full rescan every ${config.ingest.scanIntervalMs} ms)`);
    try {
      while (!signal.aborted) {
        try {
          await this.scan(signal);
        } catch (err) {
          if (signal.aborted) break;
          log.error({ err }, `Scan of raw/ failed: ${errorMessage(err)}`);
        }
        await this.health();
        const wait = Math.min(config.ingest.scanIntervalMs, config.health.checkIntervalMs, this.tracker.nextDueIn(Date.now()) + 20);
        const woke = await new Promise<boolean>((resolve) => {
          const done = (byEvent: boolean) => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            wake = null;
            resolve(byEvent);
          };
          const onAbort = () => done(false);
          const timer = setTimeout(() => done(false), wait);
          wake = () => done(true);
          signal.addEventListener('abort', onAbort, { once: true });
        });
        // Coalesce a burst of events (a folder copied in) into one scan.
        if (woke) await sleep(100, undefined, { signal }).catch(() => {});
      }
    } finally {
      await watcher.close();
      await this.idle();
      await this.close();
      log.info('Main worker stopped');
    }
  }
}
