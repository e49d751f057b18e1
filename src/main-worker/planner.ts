// Planning: for every voice in the catalog, publish a task for each of its
// tasks.variationsPerVoice variations that has none yet (the ledger says which), or record why
// the voice waits (no footage, no music, a missing logo). One pass at a time on its own queue;
// passes asked for while one is queued fold into it. After each pass the status file lists the
// waiting voices.
import { isAbsolute, join } from 'node:path';
import PQueue from 'p-queue';
import { parseResolution } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { exists } from '../shared/fs.js';
import type { Layout } from '../shared/layout.js';
import { probe } from '../shared/media/probe.js';
import { createRng, newSeed } from '../shared/rng.js';
import { readMetadata } from '../shared/protocol/task-files.js';
import type { Catalog } from '../shared/catalog.js';
import type { MainContext } from './context.js';
import type { Ledger } from './ledger.js';
import type { MainMetrics, Totals } from './metrics.js';
import { JobPlanning } from './job-planning.js';
import type { ShortPlanning } from './shorts/planning.js';
import { planTask } from './plan-task.js';
import type { StatusFile, WaitingVoice } from './status-file.js';
import { findTask } from '../shared/protocol/publish.js';
import { taskIdFor, writeTask } from './write-task.js';
import { wordsPath } from '../shared/words.js';
import { AssetRecordSchema, assetRecordPath } from '../shared/assets.js';
import { readJsonOrNull } from '../shared/json.js';
import { failurePath } from '../shared/narration-discover.js';

/**
 * What is still arriving, by kind: raw files settling or being checked (`rawPaths`, absolute,
 * under raw/), or originals being converted (`converting`, absolute, under scanned/). Keys:
 * `<kind>/<category>` for video, frame, music, image and text; `narration/<category>/<campaign>`
 * for narration parts (recorded, or a text to voice: raw/narration/<category>/<campaign>.csv|txt).
 * A sidecar counts as its file. Planners wait for what they would select from, so that a task is
 * not built from the part of a drop that happened to be filed first.
 */
export function busyAssets(layout: Layout, rawPaths: Iterable<string>, converting: Iterable<string>): Set<string> {
  const busy = new Set<string>();
  const add = (parts: string[], fromRaw: boolean) => {
    const [kind, category] = parts;
    if (!category) return;
    if ((kind === 'video' || kind === 'frame' || kind === 'music' || kind === 'image' || kind === 'text') && (!fromRaw || parts.length === 3)) busy.add(`${kind}/${category}`);
    else if (kind === 'narration' && parts.length >= 3) {
      // raw: <category>/<campaign>/part_0001.mp3 or <category>/<campaign>.csv|txt; scanned: <category>/<campaign>/original/...
      const campaign = fromRaw && parts.length === 3 ? parts[2]!.replace(/(\.(csv|txt))?(\.json)?$/i, '') : parts[2]!;
      busy.add(`narration/${category}/${campaign}`);
    }
  };
  for (const p of rawPaths) add(p.slice(layout.raw.length + 1).split('/'), true);
  for (const p of converting) add(p.slice(layout.scanned.length + 1).split('/'), false);
  return busy;
}

/**
 * Categories whose footage or music (what a voice-over task is made of) is still arriving (see
 * busyAssets). Overlay clips (an optional decoration), stills, texts and narration parts do not
 * hold voice-overs up.
 */
export function busyCategories(layout: Layout, rawPaths: Iterable<string>, converting: Iterable<string>): Set<string> {
  return footageCategories(busyAssets(layout, rawPaths, converting));
}

/** The categories of the footage and music among busyAssets keys (what holds voice-overs up). */
export function footageCategories(keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const key of keys) {
    const [kind, category] = key.split('/');
    if (kind === 'video' || kind === 'music') out.add(category!);
  }
  return out;
}

/** Voices waiting for assets: the reason and since when it has been the reason. */
export class WaitingVoices {
  private readonly byVoice = new Map<string, { reason: string; since: string }>();

  get size(): number {
    return this.byVoice.size;
  }

  /** Whether `reason` is news for `voice` (not waiting, or waiting for something else): worth a log line. */
  isNew(voice: string, reason: string): boolean {
    return this.byVoice.get(voice)?.reason !== reason;
  }

  /**
   * Replaces the set with a pass's findings (voice -> reason): voices no longer waiting are
   * dropped; a voice keeps its `since` while its reason stays the same.
   */
  update(now: ReadonlyMap<string, string>, at = new Date()): void {
    for (const voice of [...this.byVoice.keys()]) if (!now.has(voice)) this.byVoice.delete(voice);
    for (const [voice, reason] of now) {
      const prev = this.byVoice.get(voice);
      this.byVoice.set(voice, { reason, since: prev?.reason === reason ? prev.since : at.toISOString() });
    }
  }

  list(): WaitingVoice[] {
    return [...this.byVoice].map(([voice, w]) => ({ voice, reason: w.reason, since: w.since }));
  }
}

export interface PlannerOptions {
  ctx: MainContext;
  ledger: Ledger;
  totals: Totals;
  metrics: MainMetrics | null;
  status: StatusFile;
  /** The catalog of scanned/, once loaded (null before: nothing is planned). */
  catalog(): Catalog | null;
  /** Assets still arriving, by busyAssets key: voice-overs wait for their category's footage and music (footageCategories), jobs for what they select. */
  busyAssets(): Set<string>;
  /** Installed font families for job texts without fonts (tests); default: fontconfig's. */
  fonts?: () => Promise<string[]>;
}

export class Planner {
  private readonly opts: PlannerOptions;
  private readonly queue = new PQueue({ concurrency: 1 });
  private queued = false;
  private stopped = false;
  readonly waiting = new WaitingVoices();
  /** Jobs (or one source of a job) waiting for assets, by job name. */
  readonly waitingJobs = new WaitingVoices();
  private readonly jobs: JobPlanning;
  /** Voices all of whose variations have a task: never planned again by this process. */
  private readonly planned = new Set<string>();
  private readonly voiceDurations = new Map<string, number>();

  constructor(opts: PlannerOptions) {
    this.opts = opts;
    this.jobs = new JobPlanning({ ctx: opts.ctx, ledger: opts.ledger, totals: opts.totals, metrics: opts.metrics, ...(opts.fonts ? { fonts: opts.fonts } : {}), shortsChanged: (signal) => this.schedule(signal) });
  }

  /** Passes queued or running, and shorts on their own queue. */
  depth(): number {
    return this.queue.size + this.queue.pending + this.jobs.shorts.queue.depth();
  }

  /** The shorts pipeline's providers and their circuit breakers. */
  providers(): ReturnType<ShortPlanning['providerStatus']> {
    return this.jobs.shorts.providerStatus();
  }

  /** Asks for a planning pass; one already queued (not yet running) covers this one too. */
  schedule(signal?: AbortSignal): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    void this.queue.add(async () => {
      this.queued = false;
      if (signal?.aborted) return;
      try {
        await this.plan(signal);
      } catch (err) {
        if (signal?.aborted) return;
        this.opts.totals.errors++;
        this.opts.ctx.log.error({ err }, `Planning failed: ${errorMessage(err)}`);
      }
    });
  }

  /** Resolves when no pass is queued or running. */
  async idle(): Promise<void> {
    await this.queue.onIdle();
    await this.jobs.shorts.queue.idle();
  }

  /** Takes no more passes; a queued one still runs. */
  stop(): void {
    this.stopped = true;
    this.jobs.shorts.queue.stop();
  }

  /** The category's logo (tasks.categories.<name>.logo, null for none), else render.logo. */
  private logoPath(category: string): string | null {
    const { config, layout } = this.opts.ctx;
    const own = config.tasks.categories[category];
    const logo = own && own.logo !== undefined ? own.logo : config.render.logo;
    if (!logo) return null;
    return isAbsolute(logo) ? logo : join(layout.root, logo);
  }

    /** One pass over the catalog's voices. */
  private async plan(signal?: AbortSignal): Promise<void> {
    const { ctx, ledger, totals, metrics } = this.opts;
    const { config, layout, log } = ctx;
    const catalog = this.opts.catalog();
    if (!catalog) return;
    const busyKeys = this.opts.busyAssets();
    const busy = footageCategories(busyKeys);
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
        if (!(await ledger.has(id, { voice: voice.path, variation: v }))) todo.push(v);
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
      const words = await captionWords(ctx, voice.path);
      if (words === 'waiting') {
        log.debug({ voice: voice.path }, `Planning of ${voice.path} waits: its transcript is being aligned into word timings`);
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
          const result = planTask({ duration, category: voice.category, tags: voice.tags }, assets, rules, createRng(seed), avoid);
          if (!result.ok) {
            waiting = result.waiting;
            break;
          }
          const id = taskIdFor(voice.path, variation);
          const published = await writeTask(layout, { id, voice, voiceDuration: duration, variation, seed, plan: result.plan, logo, words }, config);
          await ledger.record({ task_id: id, voice: voice.path, variation, created_at: new Date().toISOString() });
          avoid.push(result.plan.clips.map((c) => c.path));
          if (!published) continue;
          totals.tasksCreated++;
          metrics?.tasks.inc();
          log.info(
            { task: id, voice: voice.path },
            `Created task tasks/${id} for ${voice.path} (variation ${variation + 1}/${variations}, ${duration.toFixed(1)} s, ${result.plan.clips.length} clips from ${result.plan.videoClass}, music ${result.plan.music.path})`,
          );
        }
        if (waiting) {
          waitingNow.set(voice.path, waiting);
          if (this.waiting.isNew(voice.path, waiting)) log.warn({ voice: voice.path }, `Voice ${voice.path} is waiting: ${waiting}`);
        }
      } catch (err) {
        if (signal?.aborted) return;
        totals.errors++;
        log.error({ voice: voice.path, err }, `Could not plan a task for ${voice.path}: ${errorMessage(err)}`);
      }
    }
    const jobsWaiting = new Map<string, string>();
    await this.jobs.run(catalog, busyKeys, jobsWaiting, signal);
    // Shorts of audio dropped into raw/short/ (those of job files ran with the jobs): why one waits is in its state file (clipmill status).
    await this.jobs.shorts.runFiled(catalog, busyKeys, new Map(), signal);
    if (signal?.aborted) return;
    for (const [job, reason] of jobsWaiting) if (this.waitingJobs.isNew(job, reason)) log.warn({ job }, `Job ${job} is waiting: ${reason}`);
    this.waiting.update(waitingNow);
    this.waitingJobs.update(jobsWaiting);
    // Voices only (the --once summary and clipmill_voices_waiting); waiting jobs are in the status file.
    totals.waiting = this.waiting.size;
    await this.opts.status.write(totals, this.waiting.list(), this.waitingJobs.list());
  }

  /** The clip sequence of an existing task (for distinct variations); empty when unreadable. */
  private async sequenceOf(id: string): Promise<string[]> {
    const dir = await findTask(this.opts.ctx.layout, id);
    if (!dir) return [];
    try {
      return (await readMetadata(dir)).video_files.map((c) => c.path);
    } catch {
      return [];
    }
  }
}

/**
 * The word timings a voice's captions use (root-relative), null for no captions, or 'waiting'
 * while a transcript is still to be aligned (narrate/queue.ts; a failed alignment, recorded in
 * trash/narration/, plans the voice without captions rather than never).
 */
async function captionWords(ctx: MainContext, voicePath: string): Promise<string | null | 'waiting'> {
  if (ctx.config.narration.captionStyle === 'none') return null;
  const abs = ctx.layout.abs(voicePath);
  if (await exists(wordsPath(abs))) return wordsPath(voicePath);
  const record = await readJsonOrNull(AssetRecordSchema, assetRecordPath(abs));
  if (!record?.transcript) return null;
  return (await exists(failurePath(ctx.layout, abs))) ? null : 'waiting';
}
