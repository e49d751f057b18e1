// What goes into a short's task folder: metadata.json only (the timeline names the scanned voice,
// its word timings, the stills, clips and music by their root-relative paths). `video_files`
// lists every visual in order (a still as a shot from 0 to its seconds), `short` the scene plan.
import type { Layout } from '../../shared/layout.js';
import { resolutionClass } from '../../shared/layout.js';
import { publishTask } from '../../shared/protocol/publish.js';
import { writeMetadata } from '../../shared/protocol/task-files.js';
import { METADATA_SCHEMA_LATEST, type TaskMetadata } from '../../shared/task.js';
import type { ShortPlan } from '../planners/short.js';
import { timelineAudioRenderFields, timelineTaskFields } from '../write-job-task.js';

export interface ShortTaskInput {
  id: string;
  key: string;
  category: string;
  audio: string;
  words: string;
  seed: number;
  priority: number;
  planner: 'local' | 'llm';
  plan: ShortPlan;
}

export function buildShortMetadata(input: ShortTaskInput, now: Date): TaskMetadata {
  const { plan } = input;
  const out = plan.timeline.output;
  return {
    schema_version: METADATA_SCHEMA_LATEST,
    ...timelineTaskFields({ id: input.id, now, category: input.category, storyName: input.key, variation: 0, seed: input.seed, seconds: plan.seconds, music: plan.music }),
    video_class: resolutionClass(out.width, out.height),
    video_files: plan.timeline.video.map((s) => {
      if (s.type === 'clip') {
        const v = plan.visuals.find((x) => x.asset.path === s.file);
        return { path: s.file, duration: v && v.asset.kind === 'video' ? v.asset.duration : s.out, in: s.in, out: s.out };
      }
      const d = s.type === 'still' ? s.duration : 0;
      return { path: s.type === 'still' ? s.file : 'color', duration: d, in: 0, out: d };
    }),
    ...timelineAudioRenderFields(plan.timeline, plan.music?.path, { fit: 'crop', logoWidth: 0 }),
    timeline: plan.timeline,
    priority: input.priority,
    short: {
      key: input.key,
      audio: input.audio,
      words: input.words,
      planner: input.planner,
      beats: plan.visuals.map((v) => ({ start: v.beat.start, end: v.beat.end, text: v.beat.text, keywords: v.beat.keywords, visual: v.asset.path, matched: v.matched })),
    },
  };
}

/** Publishes the task; returns its folder, or null when a task with that id appeared meanwhile. */
export async function writeShortTask(layout: Layout, input: ShortTaskInput, now = new Date()): Promise<string | null> {
  const meta = buildShortMetadata(input, now);
  return publishTask(layout, input.id, (dir) => writeMetadata(dir, meta));
}
