// The planning pass of golden-frame job files (docs/golden-frame.md): every variation of a job
// gets one task, published once ever (the ledger), with a task id and a seed derived from
// (job, variation), so that a pass a crash interrupted publishes what is missing and nothing
// twice (job-variations.ts). The planner's fallbacks (no usable beats, no frame PNG) go into
// metadata.json `notes`, which the render worker copies into report.json, and are logged as
// WARN here.
import { join } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import type { GoldenFrameJob } from '../shared/jobs/golden-frame.js';
import type { Layout } from '../shared/layout.js';
import { publishTask } from '../shared/protocol/publish.js';
import { writeMetadata } from '../shared/protocol/task-files.js';
import { METADATA_SCHEMA_LATEST, type TaskMetadata } from '../shared/task.js';
import type { Catalog } from '../shared/catalog.js';
import type { JobPlanningOptions, TemplatePlanning } from './job-planning.js';
import { planGoldenFrame, type GoldenFramePlan } from './planners/golden-frame.js';
import { round } from './planners/job.js';
import { publishMissingVariations } from './job-variations.js';
import { timelineAudioRenderFields, timelineTaskFields } from './write-job-task.js';

/** The "source" of a golden-frame task in its ids, its seed and the ledger: the job itself (it has no source video). */
export const GOLDEN_FRAME_SOURCE = 'golden-frame';

/** What a golden-frame job selects from, as busyAssets keys: planning waits while one is being filed. */
export function goldenFrameAssetKeys(job: GoldenFrameJob): Set<string> {
  const out = new Set<string>();
  for (const s of job.images) if (s.category !== undefined) out.add(`image/${s.category}`);
  if (job.audio?.category !== undefined) out.add(`music/${job.audio.category}`);
  if (job.frame?.category !== undefined) out.add(`image/${job.frame.category}`);
  if (job.atmosphere?.category !== undefined) out.add(`frame/${job.atmosphere.category}`);
  return out;
}

export interface GoldenFrameTaskInput {
  id: string;
  jobName: string;
  job: GoldenFrameJob;
  variation: number;
  seed: number;
  plan: GoldenFramePlan;
}

/** metadata.json v2 of a golden-frame task: the spec's fields filled from the plan, the job field, the timeline, the notes. */
export function buildGoldenFrameMetadata(input: GoldenFrameTaskInput, layout: Layout, now: Date): TaskMetadata {
  const { plan, job } = input;
  const out = plan.timeline.output;
  return {
    schema_version: METADATA_SCHEMA_LATEST,
    ...timelineTaskFields({ id: input.id, now, category: plan.shots[0]!.image.category, storyName: input.jobName, variation: input.variation, seed: input.seed, seconds: out.duration, music: plan.music, frameSource: plan.atmosphere?.path ?? null }),
    // The shots are stills: no resolution class.
    video_class: 'still',
    video_files: plan.shots.map((s) => ({ path: s.image.path, duration: round(s.end - s.start, 6), in: 0, out: round(s.end - s.start, 6) })),
    ...timelineAudioRenderFields(plan.timeline, plan.music?.path, { fit: 'pad', logoWidth: 0 }),
    timeline: plan.timeline,
    priority: job.priority,
    job: {
      name: input.jobName,
      source: GOLDEN_FRAME_SOURCE,
      source_path: layout.rel(join(layout.scannedJobs, `${input.jobName}.json`)),
      variation: input.variation,
      variations: job.variations,
      narrations: [],
      texts: plan.hook !== null ? [plan.hook] : [],
      logo: plan.frame?.path ?? null,
    },
    ...(plan.notes.length ? { notes: plan.notes.map((n) => ({ code: n.code, message: n.message })) } : {}),
  };
}

/** The golden-frame planning pass (JobPlanning hands it every job file with "template": "golden-frame"). */
export class GoldenFramePlanning implements TemplatePlanning<'golden-frame'> {
  private readonly opts: JobPlanningOptions;
  /** Jobs whose every variation has a task. */
  private readonly done = new Set<string>();

  constructor(opts: JobPlanningOptions) {
    this.opts = opts;
  }

  async run(name: string, job: GoldenFrameJob, catalog: Catalog, busy: ReadonlySet<string>, waiting: Map<string, string>, signal?: AbortSignal): Promise<void> {
    const { ctx, totals } = this.opts;
    const { layout, log } = ctx;
    if (this.done.has(name)) return;
    if ([...goldenFrameAssetKeys(job)].some((k) => busy.has(k))) {
      log.debug({ job: name }, `Planning of job ${name} waits: assets it selects are still being filed`);
      return;
    }
    try {
      const outcome = await publishMissingVariations(this.opts, {
        job: name,
        source: GOLDEN_FRAME_SOURCE,
        variations: job.variations,
        waiting,
        label: name,
        plan: async (_variation, rng) => planGoldenFrame(job, catalog, rng),
        publish: (t) => writeGoldenFrameTask(layout, { ...t, jobName: name, job }),
        created: (id, variation, p) => {
          log.info({ task: id, job: name }, `Created task tasks/${id} for golden-frame job ${name} (variation ${variation + 1}/${job.variations}, ${job.duration} s, ${p.shots.length} shots, ${p.beatSynced ? `cut on the beats of ${p.music!.path}` : 'fixed shot lengths'})`);
          for (const n of p.notes) log.warn({ task: id, job: name, code: n.code }, `Job ${name}, task ${id}: ${n.message}`);
        },
      }, signal);
      // 'done' or 'published': every variation is in the ledger, nothing is left to plan.
      if (outcome !== 'waiting') this.done.add(name);
    } catch (err) {
      if (signal?.aborted) return;
      totals.errors++;
      log.error({ job: name, err }, `Could not plan golden-frame job ${name}: ${errorMessage(err)}`);
    }
  }
}

/** Publishes the task; returns its folder, or null when a task with that id appeared meanwhile. */
export async function writeGoldenFrameTask(layout: Layout, input: GoldenFrameTaskInput, now = new Date()): Promise<string | null> {
  const meta = buildGoldenFrameMetadata(input, layout, now);
  return publishTask(layout, input.id, (dir) => writeMetadata(dir, meta));
}
