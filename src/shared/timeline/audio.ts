// The audio tracks of a timeline (DESIGN §3): each placed at its start, cut to its part of
// the file, looped, faded and set to its volume, then mixed without amix's 1/n scaling (the
// levels written are the levels heard), padded with silence to the end of the video. Speed
// and pitch (effects) come last: speed changes the tempo with the video; pitch changes the
// rate and restores the tempo, so the duration holds.
import { secs, type Graph } from './graph.js';
import type { AudioTrack, Effects, Timeline } from './schema.js';
import { localPath } from './video.js';

export const SAMPLE_RATE = 48000;
const NORM = `aresample=${SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo`;

/** Output seconds a track lasts: its duration, else the part used (or until the end when looped), never past the end. */
export function trackLength(t: AudioTrack, videoDuration: number, fileDuration?: number): number {
  const room = Math.max(0, videoDuration - t.start);
  if (t.duration !== undefined) return Math.min(t.duration, room);
  if (t.loop) return room;
  const end = t.out ?? fileDuration;
  return end === undefined ? room : Math.min(end - t.in, room);
}

/** atempo factors whose product is `f`, each within [0.5, 2] (where atempo is exact). */
export function atempoChain(f: number): string[] {
  const out: string[] = [];
  let rest = f;
  while (rest > 2) {
    out.push('atempo=2');
    rest /= 2;
  }
  while (rest < 0.5) {
    out.push('atempo=0.5');
    rest /= 0.5;
  }
  if (Math.abs(rest - 1) > 1e-9) out.push(`atempo=${Math.round(rest * 1e6) / 1e6}`);
  return out;
}

function track(g: Graph, t: AudioTrack, paths: ReadonlyMap<string, string>, videoDuration: number): string | null {
  const len = trackLength(t, videoDuration);
  if (len <= 0) return null;
  // A whole file looped is looped by the demuxer (no buffering); a part of one by aloop,
  // which holds that part in memory.
  const wholeLoop = t.loop && t.in === 0 && t.out === undefined;
  const k = g.input([...(wholeLoop ? ['-stream_loop', '-1'] : []), '-i', localPath(paths, t.file)]);
  const f: string[] = [NORM, 'asetpts=PTS-STARTPTS'];
  if (!wholeLoop && (t.in > 0 || t.out !== undefined)) {
    f.push(`atrim=start=${secs(t.in)}${t.out !== undefined ? `:end=${secs(t.out)}` : ''}`, 'asetpts=PTS-STARTPTS');
  }
  if (t.loop && !wholeLoop && t.out !== undefined) f.push(`aloop=loop=-1:size=${Math.round((t.out - t.in) * SAMPLE_RATE)}`);
  f.push(`atrim=duration=${secs(len)}`);
  if (t.volume !== 1) f.push(`volume=${t.volume}`);
  if (t.fade_in > 0) f.push(`afade=t=in:st=0:d=${secs(Math.min(t.fade_in, len))}`);
  if (t.fade_out > 0) f.push(`afade=t=out:st=${secs(Math.max(0, len - t.fade_out))}:d=${secs(Math.min(t.fade_out, len))}`);
  if (t.start > 0) f.push(`adelay=delays=${Math.round(t.start * 1000)}:all=1`);
  const out = g.label('a');
  g.chain(`[${k}:a]${f.join(',')}${out}`);
  return out;
}

/** The pitch and speed filters of the effects (empty when both are 1). */
export function audioEffects(e: Effects): string[] {
  const f: string[] = [];
  // Pitch: play p times faster (higher), resample, then slow the tempo back by p.
  if (e.pitch !== 1) f.push(`asetrate=${Math.round(SAMPLE_RATE * e.pitch)}`, `aresample=${SAMPLE_RATE}`);
  f.push(...atempoChain(e.speed / e.pitch));
  return f;
}

/** Adds the audio tracks; returns the label of the mix, or null when the timeline has none. */
export function buildAudio(g: Graph, tl: Timeline, paths: ReadonlyMap<string, string>, videoDuration: number): string | null {
  const labels = tl.audio.map((t) => track(g, t, paths, videoDuration)).filter((l): l is string => l !== null);
  if (labels.length === 0) return null;
  const mixed = labels.length === 1 ? labels[0]! : `${labels.join('')}amix=inputs=${labels.length}:duration=longest:dropout_transition=0:normalize=0`;
  const out = g.label('aout');
  // Silence to the end of the video, then exactly its length.
  const tail = [`apad=whole_dur=${secs(videoDuration)}`, `atrim=duration=${secs(videoDuration)}`, ...audioEffects(tl.effects)];
  g.chain(labels.length === 1 ? `${mixed}${tail.join(',')}${out}` : `${mixed},${tail.join(',')}${out}`);
  return out;
}
