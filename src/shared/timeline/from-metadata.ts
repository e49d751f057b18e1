// The timeline of a task: metadata.json v2 carries it; a v1 task (written before timelines)
// gets the one the voice-over planner would write for it today, so that it renders through
// the same compiler. voiceOverTimeline is also what the planner writes into v2 tasks.
import { ClipmillError } from '../errors.js';
import { describeExpected, validate } from '../json.js';
import type { TaskMetadata } from '../task.js';
import { TimelineSchema, type CaptionsLayer, type Timeline, type TimelineInput } from './schema.js';

/** The spec's voice over footage: the clips cut to the voice, the voice, the music looped under it, the frame layer and the logo. */
export function voiceOverTimeline(meta: Omit<TaskMetadata, 'timeline'>, captions: { words: string; style: CaptionsLayer['style'] } | null = null): Timeline {
  const [width, height] = meta.render.resolution.split('x').map(Number) as [number, number];
  const duration = meta.voice_duration;
  // Only job tasks have no voice, and they always carry their timeline (MetadataSchema).
  if (meta.voice_file === null) throw new ClipmillError('TASK_INVALID', `task ${meta.task_id} has no voice_file and no timeline`);
  const fade = meta.audio.fade_out_seconds > 0 && duration > meta.audio.fade_out_seconds ? meta.audio.fade_out_seconds : 0;
  const t: TimelineInput = {
    output: { width, height, fps: meta.render.frame_rate, duration, quality: 'normal' },
    video: meta.video_files.map((c) => ({ type: 'clip', file: c.path, in: c.in, out: c.out, fit: meta.render.fit })),
    layers: [],
    // The voice's length is known (measured at ingest): its track says so, and is not probed again.
    audio: [{ file: meta.voice_file, duration, volume: meta.audio.voice_volume, fade_out: fade }],
  };
  if (meta.frame_file) t.layers!.push({ type: 'video', file: meta.frame_file, blend: 'screen' });
  if (meta.render.logo) {
    // The logo in the top-left corner, 3% of the short side away from the edges.
    t.layers!.push({ type: 'image', file: meta.render.logo, position: 'top-left', margin: Math.max(2, Math.round((Math.min(width, height) * 0.03) / 2) * 2), scale: meta.render.logo_width });
  }
  // The voice's words as captions, above everything (the voice starts at 0: no offset), sized
  // to the output (80 pixels on a 1920-pixel height) with an outline that reads on any footage.
  if (captions) t.layers!.push({ type: 'captions', words: captions.words, style: captions.style, size: Math.max(8, Math.round(height / 24)), stroke: { color: '#000000', width: Math.max(1, Math.round(height / 400)) } });
  if (meta.music_file) t.audio!.push({ file: meta.music_file, volume: meta.audio.music_volume, loop: true, fade_out: fade });
  // Fields the v1 schema allows and a timeline does not (an odd resolution, a volume above
  // 10, a logo width of 0) make the task invalid, with the field named; not a bare ZodError.
  return validate(TimelineSchema, t, `the voice-over timeline of task ${meta.task_id}`, 'TASK_INVALID', describeExpected);
}

/** The timeline a task renders. */
export function timelineOf(meta: TaskMetadata): Timeline {
  return meta.timeline ?? voiceOverTimeline(meta);
}
