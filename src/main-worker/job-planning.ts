// The planning pass of job files (scanned/job/<name>.json, docs/jobs.md): for every job, every
// source it selects and every variation, publish the task unless the ledger says it exists;
// record why a job (or one of its sources) waits for assets. Each variation's task id and seed
// are derived from (job, source, variation), so a pass that a crash interrupted anywhere, run
// again, publishes what is missing and nothing twice (the ledger falls back to the task folders
// for a task published just before the crash).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseResolution } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { parseJobFile, type Job, type JobByTemplate, type JobFile, type JobTemplate } from '../shared/job.js';
import { isIgnoredName } from '../shared/layout.js';
import { readRegularFile } from '../shared/safe-files.js';
import { fcFamilies } from '../shared/timeline/text/fontconfig.js';
import { readMetadata } from '../shared/protocol/task-files.js';
import { findTask } from '../shared/protocol/publish.js';
import type { Catalog } from '../shared/catalog.js';
import type { MainContext } from './context.js';
import type { Ledger } from './ledger.js';
import type { MainMetrics, Totals } from './metrics.js';
import { jobSources, planJob } from './planners/job.js';
import { GoldenFramePlanning } from './golden-frame-planning.js';
import { publishMissingVariations } from './job-variations.js';
import { writeJobTask } from './write-job-task.js';
import { ShortPlanning } from './shorts/planning.js';

export interface JobPlanningOptions {
  ctx: MainContext;
  ledger: Ledger;
  totals: Totals;
  metrics: MainMetrics | null;
  /** Installed font families (for texts without fonts); default: fontconfig's list, read once. */
  fonts?: () => Promise<string[]>;
  /** A short changed on its own queue (shorts/queue.ts): plan again. */
  shortsChanged?: (signal?: AbortSignal) => void;
}

/** The job files of scanned/job/, by name (without .json), sorted. */
export async function listJobFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  return names.filter((n) => !isIgnoredName(n) && /\.json$/i.test(n)).map((n) => n.slice(0, -'.json'.length)).sort();
}

/** What a job selects from, as busyAssets keys (`video/<category>`, `narration/<category>/<campaign>`...): planning waits while one is being filed. */
export function jobAssetKeys(job: Job): Set<string> {
  const out = new Set<string>();
  const add = (kind: string, s: { category?: string | undefined } | undefined) => s?.category !== undefined && out.add(`${kind}/${s.category}`);
  job.sources.forEach((s) => add('video', s));
  for (const p of job.parts ?? []) {
    p.footage.forEach((s) => add('video', s));
    if (p.narration.category !== undefined) out.add(`narration/${p.narration.category}/${p.narration.campaign}`);
    add('text', p.text);
  }
  add('music', job.soundtrack?.music);
  add('music', job.audio?.music);
  add('text', job.text);
  add('image', job.logo);
  return out;
}

/**
 * The planning pass of one template other than "instructions" (src/main-worker/planners/<template>*.ts):
 * publishes the tasks of job `name` that the ledger lacks, or records in `waiting` why it waits.
 */
export interface TemplatePlanning<T extends JobTemplate> {
  run(name: string, job: JobByTemplate[T], catalog: Catalog, busy: ReadonlySet<string>, waiting: Map<string, string>, signal?: AbortSignal): Promise<void>;
}

export class JobPlanning {
  private readonly opts: JobPlanningOptions;
  /** Parsed job files (scanned/ is immutable: read once); null for one that no longer parses. */
  private readonly jobs = new Map<string, JobFile | null>();
  /** The planners of the other templates. */
  private readonly templates: { [T in Exclude<JobTemplate, 'instructions'>]: TemplatePlanning<T> };
  /** `${job}\0${source path}`: every variation has a task. */
  private readonly done = new Set<string>();
  private fonts: string[] | null = null;

  /** The shorts pipeline: job files with "template": "short", and (Planner) audio filed under scanned/short/. */
  readonly shorts: ShortPlanning;

  constructor(opts: JobPlanningOptions) {
    this.opts = opts;
    this.shorts = new ShortPlanning({ ctx: opts.ctx, ledger: opts.ledger, totals: opts.totals, metrics: opts.metrics, ...(opts.shortsChanged ? { changed: opts.shortsChanged } : {}) });
    this.templates = { short: this.shorts, 'golden-frame': new GoldenFramePlanning(opts) };
  }

  private async job(name: string): Promise<JobFile | null> {
    if (this.jobs.has(name)) return this.jobs.get(name)!;
    const { layout, log } = this.opts.ctx;
    const path = join(layout.scannedJobs, `${name}.json`);
    let job: JobFile | null = null;
    try {
      job = parseJobFile(await readRegularFile(path), layout.rel(path));
    } catch (err) {
      // Validated at ingest: only a hand edit in scanned/ gets here. Said once, not every pass.
      log.error({ job: name, err }, `Job ${name} cannot be planned: ${errorMessage(err)}`);
    }
    this.jobs.set(name, job);
    return job;
  }

  private async installedFonts(): Promise<string[]> {
    if (!this.fonts) {
      this.fonts = await (this.opts.fonts ?? (() => fcFamilies()))().catch((err: unknown) => {
        this.opts.ctx.log.warn({ err }, `Could not list the installed fonts: ${errorMessage(err)}; texts without "fonts" use Noto Sans`);
        return [] as string[];
      });
    }
    return this.fonts;
  }

  /** One pass over scanned/job/. `busy`: busyAssets keys; `waiting` receives job (or job and source) -> reason. */
  async run(catalog: Catalog, busy: ReadonlySet<string>, waiting: Map<string, string>, signal?: AbortSignal): Promise<void> {
    const { ctx, totals } = this.opts;
    const { config, layout, log } = ctx;
    const defaults = { ...parseResolution(config.render.resolution), fps: config.render.fps };
    for (const name of await listJobFiles(layout.scannedJobs)) {
      if (signal?.aborted) return;
      const file = await this.job(name);
      if (!file) continue;
      if (file.template !== 'instructions') {
        await this.runTemplate(name, file, catalog, busy, waiting, signal);
        continue;
      }
      const job = file.job;
      if ([...jobAssetKeys(job)].some((k) => busy.has(k))) {
        log.debug({ job: name }, `Planning of job ${name} waits: assets it selects are still being filed`);
        continue;
      }
      const { sources, unmatched } = jobSources(job, catalog);
      if (!sources.length) {
        waiting.set(name, unmatched.join('; '));
        continue;
      }
      for (const source of sources) {
        const key = `${name}\0${source.path}`;
        if (this.done.has(key) || signal?.aborted) continue;
        try {
          // The shot lists of the variations that exist, then of each one published: the next ones avoid them.
          const avoid: string[][] = [];
          const outcome = await publishMissingVariations(this.opts, {
            job: name,
            source: source.id,
            variations: job.variations,
            waiting,
            label: `${name} (source ${source.path})`,
            ...(job.variations > 1 ? { existing: async (id: string) => void avoid.push(await this.sequenceOf(id)) } : {}),
            plan: async (_variation, rng) => planJob({ job, source }, catalog, { ...defaults, fonts: await this.installedFonts() }, rng, avoid),
            publish: async (t) => {
              const published = await writeJobTask(layout, { ...t, jobName: name, job, source }, config);
              avoid.push(t.plan.sequence);
              return published;
            },
            created: (id, variation, plan) => log.info({ task: id, job: name }, `Created task tasks/${id} for job ${name} (source ${source.path}, variation ${variation + 1}/${job.variations}, ${plan.seconds.toFixed(1)} s, ${plan.shots.length} shots)`),
          }, signal);
          // 'done' or 'published': every variation is in the ledger, nothing is left to plan.
          if (outcome !== 'waiting') this.done.add(key);
        } catch (err) {
          if (signal?.aborted) return;
          totals.errors++;
          log.error({ job: name, err }, `Could not plan job ${name} for ${source.path}: ${errorMessage(err)}`);
        }
      }
    }
  }

  private async runTemplate(name: string, file: JobFile, catalog: Catalog, busy: ReadonlySet<string>, waiting: Map<string, string>, signal?: AbortSignal): Promise<void> {
    const planning = (this.templates as Partial<Record<JobTemplate, TemplatePlanning<JobTemplate>>>)[file.template]!;
    await planning.run(name, file.job, catalog, busy, waiting, signal);
  }

  /** The shot list of an existing variation (for distinct variations); empty when unreadable. */
  private async sequenceOf(id: string): Promise<string[]> {
    const dir = await findTask(this.opts.ctx.layout, id);
    if (!dir) return [];
    try {
      const meta = await readMetadata(dir);
      return [...meta.video_files.map((c) => c.path), ...(meta.job?.narrations ?? [])];
    } catch {
      return [];
    }
  }
}
