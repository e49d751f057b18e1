// The main worker: raw/ -> scanned/ -> tasks/. One pass = scan raw/, ingest what is stable
// (bounded by a queue), then publish a task for every voice variation that has none yet.
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import { parseResolution } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { exists } from '../shared/fs.js';
import { probe } from '../shared/media/probe.js';
import { createRng, newSeed } from '../shared/rng.js';
import { listVoices, readCategory, type CategoryCatalog } from './catalog.js';
import type { MainContext } from './context.js';
import { ingestFile } from './ingest/index.js';
import { planTask } from './plan-task.js';
import { listRaw, StabilityTracker } from './scan.js';
import { cleanTaskTemps, findTask, taskIdFor, writeTask } from './write-task.js';

export interface PassStats {
  moved: number;
  rejected: number;
  settling: number;
  tasksCreated: number;
  waiting: number;
  errors: number;
}

export class MainWorker {
  private readonly ctx: MainContext;
  private readonly tracker: StabilityTracker;
  private readonly queue: PQueue;
  /** Voices whose "waiting" was already logged, with the reason, so it is logged once. */
  private readonly waitingLogged = new Map<string, string>();
  private readonly skippedLogged = new Set<string>();
  private readonly voiceDurations = new Map<string, number>();

  constructor(ctx: MainContext) {
    this.ctx = ctx;
    this.tracker = new StabilityTracker(ctx.config.ingest.stableMs);
    this.queue = new PQueue({ concurrency: ctx.config.ingest.concurrency });
  }

  async pass(signal?: AbortSignal): Promise<PassStats> {
    const { ctx } = this;
    const stats: PassStats = { moved: 0, rejected: 0, settling: 0, tasksCreated: 0, waiting: 0, errors: 0 };
    const files = await listRaw(ctx.layout.raw);
    const { stable, settling } = this.tracker.observe(files, Date.now());
    stats.settling = settling.length;
    for (const f of settling) ctx.log.debug({ file: `raw/${f.rel}` }, `Waiting for raw/${f.rel} to stop changing`);
    await Promise.all(
      stable.map((file) =>
        this.queue.add(async () => {
          if (signal?.aborted) return;
          try {
            const out = await ingestFile(ctx, file, signal);
            if (out.status === 'moved') stats.moved++;
            else if (out.status === 'rejected') stats.rejected++;
            else if (out.status === 'skipped' && !this.skippedLogged.has(file.path)) {
              this.skippedLogged.add(file.path);
              ctx.log.info({ file: `raw/${file.rel}` }, `Left raw/${file.rel} in place: ${out.reason}`);
            }
            if (out.status !== 'skipped') this.tracker.forget(file.path);
          } catch (err) {
            if (signal?.aborted) return;
            stats.errors++;
            ctx.log.error({ file: `raw/${file.rel}`, err }, `Could not ingest raw/${file.rel}: ${errorMessage(err)}`);
          }
        }),
      ),
    );
    if (!signal?.aborted) await this.planTasks(stats, signal);
    return stats;
  }

  private logoPath(): string | null {
    const logo = this.ctx.config.render.logo;
    if (!logo) return null;
    return isAbsolute(logo) ? logo : join(this.ctx.layout.root, logo);
  }

  private async planTasks(stats: PassStats, signal?: AbortSignal): Promise<void> {
    const { ctx } = this;
    const { config, layout, log } = ctx;
    const removed = await cleanTaskTemps(layout);
    if (removed) log.warn(`Removed ${removed} half-built task folder(s) left in tasks/ by an interrupted run`);
    const catalogs = new Map<string, CategoryCatalog>();
    const rules = parseResolution(config.render.resolution);
    const logo = this.logoPath();
    for (const voice of await listVoices(layout)) {
      if (signal?.aborted) return;
      const variations = config.tasks.variationsPerVoice;
      const todo: number[] = [];
      for (let v = 0; v < variations; v++) if (!(await findTask(layout, taskIdFor(voice.path, v)))) todo.push(v);
      if (todo.length === 0) continue;
      try {
        let duration = this.voiceDurations.get(voice.path);
        if (duration === undefined) {
          duration = (await probe(ctx.bins.ffprobe.path, layout.abs(voice.path), { signal })).duration;
          this.voiceDurations.set(voice.path, duration);
        }
        let catalog = catalogs.get(voice.category);
        if (!catalog) catalogs.set(voice.category, (catalog = await readCategory(layout, voice.category)));
        let waiting: string | null = null;
        if (logo && !(await exists(logo))) waiting = `render.logo ${logo} does not exist`;
        for (const variation of todo) {
          if (waiting) break;
          const seed = newSeed();
          const result = planTask({ duration, category: voice.category }, catalog, rules, createRng(seed));
          if (!result.ok) {
            waiting = result.waiting;
            break;
          }
          const id = taskIdFor(voice.path, variation);
          await writeTask(layout, { id, voice, voiceDuration: duration, variation, seed, plan: result.plan, logo }, config);
          stats.tasksCreated++;
          this.waitingLogged.delete(voice.path);
          log.info(
            { task: id, voice: voice.path },
            `Created task tasks/${id} for ${voice.path} (variation ${variation + 1}/${variations}, ${duration.toFixed(1)} s, ${result.plan.clips.length} clips from ${result.plan.videoClass}, music ${result.plan.music.path})`,
          );
        }
        if (waiting) {
          stats.waiting++;
          if (this.waitingLogged.get(voice.path) !== waiting) {
            this.waitingLogged.set(voice.path, waiting);
            log.warn({ voice: voice.path }, `Voice ${voice.path} is waiting: ${waiting}`);
          }
        }
      } catch (err) {
        if (signal?.aborted) return;
        stats.errors++;
        log.error({ voice: voice.path, err }, `Could not plan a task for ${voice.path}: ${errorMessage(err)}`);
      }
    }
  }

  /**
   * `--once`: passes until nothing is left settling (a file that keeps changing for many
   * stability windows is left for the next run), then returns the totals.
   */
  async runOnce(signal?: AbortSignal): Promise<PassStats> {
    const total: PassStats = { moved: 0, rejected: 0, settling: 0, tasksCreated: 0, waiting: 0, errors: 0 };
    const maxRounds = 10;
    for (let round = 0; ; round++) {
      const s = await this.pass(signal);
      total.moved += s.moved;
      total.rejected += s.rejected;
      total.tasksCreated += s.tasksCreated;
      total.errors += s.errors;
      total.settling = s.settling;
      total.waiting = s.waiting;
      if (s.settling === 0 || signal?.aborted) break;
      if (round >= maxRounds) {
        this.ctx.log.warn(`${s.settling} file(s) in raw/ are still changing; left for the next run`);
        break;
      }
      await sleep(Math.min(this.tracker.nextDueIn(Date.now()), this.ctx.config.ingest.stableMs) + 20, undefined, signal ? { signal } : {}).catch(() => {});
    }
    return total;
  }

  /** The daemon: a pass every `ingest.scanIntervalMs` (sooner when a file is about to settle). */
  async run(signal: AbortSignal): Promise<void> {
    const { log, config } = this.ctx;
    log.info(`Main worker watching ${this.ctx.layout.raw} (a pass every ${config.ingest.scanIntervalMs} ms)`);
    while (!signal.aborted) {
      try {
        await this.pass(signal);
      } catch (err) {
        if (signal.aborted) break;
        log.error({ err }, `Pass failed: ${errorMessage(err)}`);
      }
      const wait = Math.min(config.ingest.scanIntervalMs, this.tracker.nextDueIn(Date.now()) + 20);
      await sleep(wait, undefined, { signal }).catch(() => {});
    }
    await this.queue.onIdle();
    log.info('Main worker stopped');
  }
}
