// What goes into a job task folder: metadata.json only (the timeline names the scanned files by
// their root-relative paths; the render worker opens them there). The task id and the seed are
// derived from (job, source, variation): "is there already a task for this variation?" is a
// lookup of that id, and a plan made again after a crash is the same plan.
import { createHash } from 'node:crypto';
import type { Config } from '../shared/config.js';
import { stableUuid } from '../shared/ids.js';
import type { Job } from '../shared/job.js';
import type { Layout } from '../shared/layout.js';
import { publishTask } from '../shared/protocol/publish.js';
import { writeMetadata } from '../shared/protocol/task-files.js';
import { METADATA_SCHEMA_VERSION, type TaskMetadata } from '../shared/task.js';
import type { AudioTrack, Timeline } from '../shared/timeline/schema.js';
import type { JobPlan, VideoAsset } from './planners/job.js';

export function jobTaskIdFor(jobName: string, sourceId: string, variation: number): string {
  return stableUuid('clipmill-job-task', jobName, sourceId, String(variation));
}

/** The seed of a variation's draws: 32 bits of a hash of (job, source, variation). */
export function jobSeed(jobName: string, sourceId: string, variation: number): number {
  return createHash('sha256').update(['clipmill-job-seed', jobName, sourceId, String(variation)].join('\0')).digest().readUInt32BE(0);
}

export interface JobTaskInput {
  id: string;
  jobName: string;
  job: Job;
  source: VideoAsset;
  variation: number;
  seed: number;
  plan: JobPlan;
}

/**
 * The spec's §5 fields of a task that is its timeline alone (job, golden-frame and short tasks):
 * nothing to copy into the task folder (no voice, clip list or frame file), the length and the
 * music as the plan says.
 */
export function timelineTaskFields(t: { id: string; now: Date; category: string; storyName: string; variation: number; seed: number; seconds: number; music: { path: string; duration: number } | null; frameSource?: string | null }) {
  return {
    task_id: t.id,
    created_at: t.now.toISOString(),
    category: t.category,
    story_name: t.storyName,
    variation: t.variation,
    seed: t.seed,
    attempts: 0,
    voice_file: null,
    voice_source: null,
    voice_duration: t.seconds,
    music_file: null,
    music_source: t.music?.path ?? null,
    music_duration: t.music?.duration ?? null,
    video_list: null,
    frame_file: null,
    frame_source: t.frameSource ?? null,
  } satisfies Partial<TaskMetadata>;
}

/**
 * The spec's `audio` and `render` fields of a task that is its timeline alone: the volume and
 * fade-out of the music track (the timeline's audio track of `musicPath`; none: 0), the
 * output's size and rate; no logo file to overlay (a logo is a layer of the timeline),
 * `logoWidth` for the fields' readers.
 */
export function timelineAudioRenderFields(
  timeline: { output: Pick<Timeline['output'], 'width' | 'height' | 'fps'>; audio: readonly Pick<AudioTrack, 'file' | 'volume' | 'fade_out'>[] },
  musicPath: string | undefined,
  render: { fit: 'pad' | 'crop'; logoWidth: number },
) {
  const { output } = timeline;
  const music = musicPath === undefined ? undefined : timeline.audio.find((a) => a.file === musicPath);
  return {
    audio: { voice_volume: 1, music_volume: music?.volume ?? 0, fade_out_seconds: music?.fade_out ?? 0 },
    render: { resolution: `${output.width}x${output.height}`, frame_rate: output.fps, fit: render.fit, logo: null, logo_width: render.logoWidth, output_format: 'mp4' },
  } satisfies Partial<TaskMetadata>;
}

/** metadata.json v2 of a job task: the spec's fields filled from the plan, the job field, the timeline. */
export function buildJobMetadata(input: JobTaskInput, config: Config, now: Date): TaskMetadata {
  const { plan, source, job } = input;
  return {
    schema_version: METADATA_SCHEMA_VERSION,
    ...timelineTaskFields({ id: input.id, now, category: source.category, storyName: input.jobName, variation: input.variation, seed: input.seed, seconds: plan.seconds, music: plan.music }),
    video_class: source.videoClass,
    video_files: plan.shots,
    // The music track's volume is the plan's (plan.music.volume).
    ...timelineAudioRenderFields(plan.timeline, plan.music?.path, {
      fit: 'crop',
      logoWidth: plan.logo ? (plan.timeline.layers.find((l) => l.type === 'image')?.scale ?? config.render.logoWidth) : config.render.logoWidth,
    }),
    timeline: plan.timeline,
    priority: job.priority,
    job: {
      name: input.jobName,
      source: source.id,
      source_path: source.path,
      variation: input.variation,
      variations: job.variations,
      narrations: plan.narrations.map((n) => n.id),
      texts: plan.texts.map((t) => t.text),
      logo: plan.logo,
    },
  };
}

/** Publishes the task; returns its folder, or null when a task with that id appeared meanwhile. */
export async function writeJobTask(layout: Layout, input: JobTaskInput, config: Config, now = new Date()): Promise<string | null> {
  const meta = buildJobMetadata(input, config, now);
  return publishTask(layout, input.id, (dir) => writeMetadata(dir, meta));
}
