// What goes into a voice-over task folder: metadata.json, links to the scanned inputs, the clip
// list, the logo; published by src/shared/protocol/publish.ts. The task id is derived from the
// voice file and the variation, so "is there already a task for this?" is a lookup of that id.
import { copyFile, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Config } from '../shared/config.js';
import { fsyncPath, writeFileAtomic } from '../shared/fs.js';
import { publishTask } from '../shared/protocol/publish.js';
import { writeMetadata } from '../shared/protocol/task-files.js';
import { stableUuid } from '../shared/ids.js';
import type { Layout } from '../shared/layout.js';
import { METADATA_SCHEMA_VERSION, TASK_FILES, buildFfconcat, type TaskMetadata } from '../shared/task.js';
import { voiceOverTimeline } from '../shared/timeline/from-metadata.js';
import type { CatalogVoice } from '../shared/catalog.js';
import type { TaskPlan } from './plan-task.js';

export function taskIdFor(voicePath: string, variation: number): string {
  return stableUuid('clipmill-task', voicePath, String(variation));
}

/** Task folders live two levels below the root, so root-relative paths get this prefix. */
const TO_ROOT = '../..';

export interface BuildTaskInput {
  id: string;
  voice: CatalogVoice;
  voiceDuration: number;
  variation: number;
  seed: number;
  plan: TaskPlan;
  /** Absolute path of the logo PNG to copy into the task, or null. */
  logo: string | null;
  /** The claim priority; absent: writeTask looks it up (taskPriority). */
  priority?: number;
  /** The voice's word timings (root-relative scanned/ path) when it has them: the video is captioned. */
  words?: string | null;
}

/**
 * A voice-over task's claim priority: the voice's own (its sidecar's `priority`, carried into
 * its asset record `<scanned voice>.json`, which the catalog read), else
 * tasks.categories.<category>.priority, else 0. (A job file's tasks get the job's priority from
 * the job planner.)
 */
export function taskPriority(voice: Pick<CatalogVoice, 'priority' | 'category'>, config: Config): number {
  return voice.priority ?? config.tasks.categories[voice.category]?.priority ?? 0;
}

/** Each clip from its start; the last one cut where the voice ends. */
export function clipPoints(clips: { path: string; duration: number }[], voiceDuration: number): TaskMetadata['video_files'] {
  let start = 0;
  return clips.map((c) => {
    const out = Math.min(c.duration, Math.max(0.001, Math.round((voiceDuration - start) * 1000) / 1000));
    start += c.duration;
    return { path: c.path, duration: c.duration, in: 0, out };
  });
}

/** metadata.json v2: the spec's fields and the voice-over timeline made of them. */
export function buildMetadata(input: BuildTaskInput, config: Config, now: Date): TaskMetadata {
  const fields = specFields(input, config, now);
  const captions = input.words && config.narration.captionStyle !== 'none' ? { words: input.words, style: config.narration.captionStyle } : null;
  return { ...fields, timeline: voiceOverTimeline(fields, captions), ...(input.priority === undefined ? {} : { priority: input.priority }) };
}

function specFields(input: BuildTaskInput, config: Config, now: Date): Omit<TaskMetadata, 'timeline'> {
  const { plan } = input;
  return {
    schema_version: METADATA_SCHEMA_VERSION,
    task_id: input.id,
    created_at: now.toISOString(),
    category: input.voice.category,
    story_name: input.voice.story,
    variation: input.variation,
    seed: input.seed,
    attempts: 0,
    voice_file: TASK_FILES.voice,
    voice_source: input.voice.path,
    voice_duration: input.voiceDuration,
    music_file: TASK_FILES.music,
    music_source: plan.music.path,
    music_duration: plan.music.duration,
    video_list: TASK_FILES.videoList,
    frame_file: plan.frame ? TASK_FILES.frame : null,
    frame_source: plan.frame?.path ?? null,
    video_class: plan.videoClass,
    video_files: clipPoints(plan.clips, input.voiceDuration),
    audio: { voice_volume: config.render.voiceVolume, music_volume: config.render.musicVolume, fade_out_seconds: config.render.fadeOutSeconds },
    render: {
      resolution: config.render.resolution,
      frame_rate: config.render.fps,
      fit: config.render.fit,
      logo: input.logo ? TASK_FILES.logo : null,
      logo_width: config.render.logoWidth,
      output_format: 'mp4',
    },
  };
}

/** Publishes the task (src/shared/protocol/publish.ts); returns its folder, or null when a task with that id appeared meanwhile. */
export async function writeTask(layout: Layout, input: BuildTaskInput, config: Config, now = new Date()): Promise<string | null> {
  const priority = input.priority ?? taskPriority(input.voice, config);
  const meta = buildMetadata({ ...input, priority }, config, now);
  return publishTask(layout, input.id, async (dir) => {
    // Relative links, as in the spec: they stay valid when the folder moves to processing/,
    // output/ or trash/failed/ (all at the same depth) and on every node that mounts the root.
    await symlink(posix.join(TO_ROOT, input.voice.path), join(dir, TASK_FILES.voice));
    await symlink(posix.join(TO_ROOT, input.plan.music.path), join(dir, TASK_FILES.music));
    if (input.plan.frame) await symlink(posix.join(TO_ROOT, input.plan.frame.path), join(dir, TASK_FILES.frame));
    await writeFileAtomic(join(dir, TASK_FILES.videoList), buildFfconcat(input.plan.clips.map((c) => posix.join(TO_ROOT, c.path))));
    if (input.logo) {
      await copyFile(input.logo, join(dir, TASK_FILES.logo));
      await fsyncPath(join(dir, TASK_FILES.logo));
    }
    // metadata.json last: a folder with it is complete.
    await writeMetadata(dir, meta);
  });
}
