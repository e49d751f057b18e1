// A chunked task for the tests: 3 s at 160x90 (a Ken Burns still, a run of clips, a fade, a
// colour; an image fading in across a cut; two audio tracks), its media in the task folder.
import type { Layout } from '../../src/shared/layout.js';
import { writeMetadata } from '../../src/shared/protocol/task-files.js';
import { METADATA_SCHEMA_VERSION, type TaskMetadata } from '../../src/shared/task.js';
import { TimelineSchema } from '../../src/shared/timeline/schema.js';
import { sampleMetadata } from '../fixtures.js';
import { makeMedia, MEDIA } from '../shared/timeline/render-media.js';

export const LONG_ID = '6a1f7a4e-0c39-4a4e-9a51-2f4a1d8e0b11';

export const LONG_TIMELINE = TimelineSchema.parse({
  output: { width: 160, height: 90, fps: 30, duration: 3 },
  video: [
    { type: 'still', file: MEDIA.red, duration: 1.2, ken_burns: { from: { zoom: 1 }, to: { zoom: 1.5 } } },
    { type: 'clip', file: MEDIA.colors, in: 0.5, out: 1.3 },
    { type: 'clip', file: MEDIA.colors, in: 2, out: 2.6, transition: { type: 'fade', duration: 0.3 } },
    { type: 'color', color: 'gray', duration: 0.5 },
  ],
  layers: [{ type: 'image', file: MEDIA.red, start: 0.8, end: 2.5, position: 'bottom-right', animation: 'fade', animation_duration: 0.4 }],
  audio: [{ file: MEDIA.a440long, fade_out: 0.3 }, { file: MEDIA.b1000, start: 0.9 }],
});

/** Publishes the long task (tasks/<LONG_ID>/ with its media) into `layout`. */
export async function publishLongTask(layout: Layout, id = LONG_ID): Promise<void> {
  const dir = layout.task(id);
  await makeMedia(dir);
  const meta = {
    ...sampleMetadata({ task_id: id, schema_version: METADATA_SCHEMA_VERSION, render: { resolution: '160x90', frame_rate: 30, fit: 'pad', logo: null, logo_width: 0.12, output_format: 'mp4' } }),
    timeline: LONG_TIMELINE,
  } as TaskMetadata;
  await writeMetadata(dir, meta);
}
