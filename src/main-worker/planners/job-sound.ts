// The source's own sound in a job video (docs/jobs.md): footage is filed without audio, and
// the kept original named by its asset record's `sound` holds it; the planner lays it under the
// source segment as one more audio track, mixed in the same ffmpeg pass.
import type { TimelineInput } from '../../shared/timeline/schema.js';
import { round, type VideoAsset } from './job.js';


/**
 * The source's own sound under its segment (output 0 to its duration): its kept original's
 * audio, cut to the same span of the clip's time (placed by the offset of its first sample), at
 * `volume`. Null for a source without sound, or at volume 0.
 */
export function sourceSoundTrack(source: VideoAsset, volume: number): NonNullable<TimelineInput['audio']>[number] | null {
  const sound = source.sound;
  if (!sound || volume <= 0) return null;
  // The source segment shows the clip's time 0 to its duration; that span of the audio's time
  // is (clip time - offset). Audio starting after the clip does: the track starts later.
  const start = round(Math.max(0, sound.offset));
  const inPoint = round(Math.max(0, -sound.offset));
  const out = round(Math.min(sound.duration, source.duration - sound.offset));
  if (out - inPoint < 1e-3) return null;
  return { file: sound.path, start, in: inPoint, out, volume };
}
