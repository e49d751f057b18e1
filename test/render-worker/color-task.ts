// A task that needs no input file: its timeline is colour only.
import { METADATA_SCHEMA_VERSION, type TaskMetadata } from '../../src/shared/task.js';
import { sampleMetadata } from '../fixtures.js';

/** A v2 task whose timeline is 1 s of colour at 160x90: nothing to download. */
export function colorMeta(id: string, over: Partial<TaskMetadata> = {}): TaskMetadata {
  return {
    ...sampleMetadata({ task_id: id, schema_version: METADATA_SCHEMA_VERSION, render: { resolution: '160x90', frame_rate: 30, fit: 'pad', logo: null, logo_width: 0.12, output_format: 'mp4' } }),
    timeline: { output: { width: 160, height: 90, fps: 30, duration: 1, quality: 'normal' }, video: [{ type: 'color', color: 'blue', duration: 1, fit: 'crop', flip: false }], layers: [], audio: [], effects: {} },
    ...over,
  } as TaskMetadata;
}

