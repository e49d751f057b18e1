// Edits of a finished task's timeline (`clipmill edit`, the dashboard's edit): pure functions
// from (timeline, what the task's metadata says its files are, the edit) to the new timeline
// and a line per change for revisions/<id>.json. The music track, the voice track and the logo
// layer are found by the task-folder files metadata.json names for them (music_file,
// voice_file, render.logo), which is how every planner writes them.
import { ClipmillError } from '../errors.js';
import { describeExpected, validate } from '../json.js';
import { POSITIONS, segmentDuration, TimelineSchema, type ImageLayer, type Position, type Timeline } from './schema.js';

export interface TimelineEdit {
  /** The music track's gain (0 to 10). */
  musicVolume?: number;
  /** Remove the music track. */
  noMusic?: boolean;
  logoPosition?: Position;
  /** The logo's width as a fraction of the output width. */
  logoScale?: number;
  logoAnimation?: ImageLayer['animation'];
  /** The video segments in their new order: 1-based indexes of the current order, each once. */
  order?: number[];
  /** The new voice's length in seconds (its file is the task folder's voice file, relinked by the caller). */
  voice?: { path: string; duration: number; previous?: string; /** The new voice's word timings (root-relative), when it has them: the captions follow the new voice; without them the captions go. */ words?: string | null };
}

/** Which files of the timeline are the task's voice, music and logo. */
export interface TaskFiles {
  /** Null for a job task (its narrations are parts of a longer video, not one voice to swap). */
  voice: string | null;
  music: string | null;
  logo: string | null;
}

/** USAGE naming the edit's field (the API's names: music_volume, logo_position, order...; the page shows the message next to it). */
const usage = (message: string, field?: string) => new ClipmillError('USAGE', message, field ? { details: { field } } : {});

/** "right,bottom", "bottom,right", "center" or a position name ("bottom-right") -> a position. */
export function parseLogoPosition(text: string): Position {
  const t = text.trim().toLowerCase();
  if ((POSITIONS as readonly string[]).includes(t)) return t as Position;
  const parts = t.split(',').map((p) => p.trim());
  const h = parts.filter((p) => p === 'left' || p === 'right');
  const v = parts.filter((p) => p === 'top' || p === 'bottom');
  const c = parts.filter((p) => p === 'center');
  if (parts.length < 1 || parts.length > 2 || h.length > 1 || v.length > 1 || h.length + v.length + c.length !== parts.length) {
    throw usage(`logo position must be "<left|center|right>,<top|center|bottom>" or one of ${POSITIONS.join(', ')}, got ${JSON.stringify(text)}`, 'logo_position');
  }
  const pos = [v[0], h[0]].filter(Boolean).join('-');
  return (pos || 'center') as Position;
}

/** "3,1,2" for `n` segments -> [3, 1, 2]; a permutation of 1..n, else USAGE. */
export function parseOrder(text: string, n: number): number[] {
  const order = text.split(',').map((x) => Number(x.trim()));
  const ok = order.length === n && order.every((x) => Number.isInteger(x) && x >= 1 && x <= n) && new Set(order).size === n;
  if (!ok) throw usage(`the segment order must list each of the ${n} video segments once (1 to ${n}, comma-separated), got ${JSON.stringify(text)}`, 'order');
  return order;
}

/** Applies the edit; returns the new timeline (validated) and what changed, one line each. */
export function editTimeline(tl: Timeline, files: TaskFiles, edit: TimelineEdit): { timeline: Timeline; changes: string[] } {
  const changes: string[] = [];
  const next: Timeline = structuredClone(tl);
  const musicIndex = files.music === null ? -1 : next.audio.findIndex((a) => a.file === files.music);
  if (edit.noMusic || edit.musicVolume !== undefined) {
    if (musicIndex < 0) throw usage('the task has no music track to change', edit.noMusic ? 'no_music' : 'music_volume');
  }
  if (edit.noMusic) {
    next.audio.splice(musicIndex, 1);
    changes.push('music removed');
  } else if (edit.musicVolume !== undefined) {
    const track = next.audio[musicIndex]!;
    changes.push(`music volume ${track.volume} → ${edit.musicVolume}`);
    track.volume = edit.musicVolume;
  }
  if (edit.logoPosition !== undefined || edit.logoScale !== undefined || edit.logoAnimation !== undefined) {
    const logo = next.layers.find((l): l is ImageLayer => l.type === 'image' && l.file === files.logo);
    if (!logo) throw usage('the task has no logo to change', edit.logoPosition !== undefined ? 'logo_position' : edit.logoScale !== undefined ? 'logo_scale' : 'logo_animation');
    if (edit.logoPosition !== undefined) {
      const was = logo.x !== undefined || logo.y !== undefined ? 'x/y' : logo.position;
      delete logo.x;
      delete logo.y;
      changes.push(`logo position ${was} → ${edit.logoPosition}`);
      logo.position = edit.logoPosition;
    }
    if (edit.logoScale !== undefined) {
      changes.push(`logo scale ${logo.scale} → ${edit.logoScale}`);
      logo.scale = edit.logoScale;
    }
    if (edit.logoAnimation !== undefined) {
      changes.push(`logo animation ${logo.animation} → ${edit.logoAnimation}`);
      logo.animation = edit.logoAnimation;
    }
  }
  if (edit.order) {
    const order = parseOrder(edit.order.join(','), next.video.length);
    next.video = order.map((i) => next.video[i - 1]!);
    changes.push(`video order ${tl.video.map((_, i) => i + 1).join(',')} → ${order.join(',')}`);
  }
  if (edit.voice) {
    const voice = files.voice === null ? undefined : next.audio.find((a) => a.file === files.voice);
    if (!voice) throw usage(files.voice === null ? 'the task is a job task: its narration parts are not one voice to replace (edit the job file instead)' : 'the task has no voice track to replace', 'voice');
    const total = next.video.reduce((s, seg) => s + segmentDuration(seg), 0);
    const d = Math.round(edit.voice.duration * 1000) / 1000;
    if (total < d - 0.5 / next.output.fps) throw usage(`the voice ${edit.voice.path} lasts ${d} s but the task's footage only ${Math.round(total * 1000) / 1000} s: choose a voice of at most that length`, 'voice');
    changes.push(`voice ${edit.voice.previous ?? files.voice} → ${edit.voice.path} (${next.output.duration} s → ${d} s)`);
    next.output.duration = d;
    if (voice.duration !== undefined) voice.duration = d;
    if (voice.out !== undefined) voice.out = voice.in + d;
    // Fades stay as long as they were, unless the new voice is shorter than them.
    for (const a of next.audio) if (a.fade_out >= d) a.fade_out = 0;
    for (const l of next.layers) if (l.end !== undefined && l.end > d) l.end = d;
    next.layers = next.layers.filter((l) => l.start < d);
    // Captions are timed by the old voice's words: they follow the new voice's, or go.
    if (next.layers.some((l) => l.type === 'captions')) {
      const words = edit.voice.words ?? null;
      if (words) {
        for (const l of next.layers) if (l.type === 'captions') l.words = words;
      } else {
        next.layers = next.layers.filter((l) => l.type !== 'captions');
      }
      changes.push(words ? `captions timed by ${words}` : `captions removed (${edit.voice.path} has no word timings)`);
    }
  }
  if (!changes.length) throw usage('nothing to change: give at least one of --music-volume, --no-music, --logo-position, --logo-scale, --logo-animation, --order, --voice (or --undo)');
  return { timeline: validate(TimelineSchema, next, 'the edited timeline', 'USAGE', describeExpected), changes };
}
