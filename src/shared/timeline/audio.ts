// The audio tracks of a timeline (DESIGN §3): each placed at its start, cut to its part of
// the file, looped, faded and set to its volume, then mixed without amix's 1/n scaling (the
// levels written are the levels heard), padded with silence to the end of the video. Speed
// and pitch (effects) come last: speed changes the tempo with the video; pitch changes the
// rate and restores the tempo, so the duration holds.
import { localPath, secs, type Graph } from './graph.js';
import type { AudioTrack, Effects, Timeline } from './schema.js';
import { duckFilters } from './duck.js';

export const SAMPLE_RATE = 48000;

/** The audio encoder of every output (a whole render's, a chunked task's audio artifact). */
export const AUDIO_CODEC = 'aac';

/** The output arguments of the mixed audio: AAC at `bitrate`, 48 kHz stereo. */
export function audioEncoderArgv(bitrate: string): string[] {
  return ['-c:a', AUDIO_CODEC, '-b:a', bitrate, '-ar', String(SAMPLE_RATE), '-ac', '2'];
}
/** aloop's largest size (INT32_MAX samples). */
const ALOOP_MAX = 2147483647;
const NORM = `aresample=${SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo`;

/**
 * Output seconds a track lasts: its duration, else the part used (or until the end when
 * looped), never past the end of the video, and, not looped, never past the part used (its
 * out point, or the end of the file when its length is known). The fade-out is placed by it.
 */
export function trackLength(t: AudioTrack, videoDuration: number, fileDuration?: number): number {
  const room = Math.max(0, videoDuration - t.start);
  const end = t.out !== undefined && fileDuration !== undefined ? Math.min(t.out, fileDuration) : (t.out ?? fileDuration);
  const part = end === undefined ? Infinity : Math.max(0, end - t.in);
  const wanted = t.duration ?? (t.loop ? room : part);
  return Math.min(wanted, t.loop ? Infinity : part, room);
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

function track(g: Graph, t: AudioTrack, paths: ReadonlyMap<string, string>, videoDuration: number, fileDuration: number | undefined): string | null {
  const len = trackLength(t, videoDuration, fileDuration);
  if (len <= 0) return null;
  // A whole file looped is looped by the demuxer (no buffering); a part of one by aloop,
  // which holds that part in memory.
  const wholeLoop = t.loop && t.in === 0 && t.out === undefined;
  const k = g.input([...(wholeLoop ? ['-stream_loop', '-1'] : []), '-i', localPath(paths, t.file)]);
  // Timestamps from the samples, not the file: a looped file's timestamps jump at each loop
  // by what its container says it lasts (an MP3's padding: 23 ms a loop for half a second of
  // music), and atrim, afade and adelay would cut, fade and place by those, while the mix
  // plays the samples.
  const f: string[] = [NORM, 'asetpts=N/SR/TB'];
  if (!wholeLoop && (t.in > 0 || t.out !== undefined)) {
    f.push(`atrim=start=${secs(t.in)}${t.out !== undefined ? `:end=${secs(t.out)}` : ''}`, 'asetpts=PTS-STARTPTS');
  }
  // A part without an out point runs to the end of the file, whose length the compiler does
  // not know: aloop with the largest size stops collecting at the end of its input and loops
  // what it got (it holds only that, growing as it reads).
  if (t.loop && !wholeLoop) f.push(`aloop=loop=-1:size=${t.out !== undefined ? Math.round((t.out - t.in) * SAMPLE_RATE) : ALOOP_MAX}`);
  f.push(`atrim=duration=${secs(len)}`);
  if (t.volume !== 1) f.push(`volume=${t.volume}`);
  if (t.fade_in > 0) f.push(`afade=t=in:st=0:d=${secs(Math.min(t.fade_in, len))}`);
  if (t.fade_out > 0) f.push(`afade=t=out:st=${secs(Math.max(0, len - t.fade_out))}:d=${secs(Math.min(t.fade_out, len))}`);
  if (t.start > 0) f.push(`adelay=delays=${Math.round(t.start * 1000)}:all=1`);
  const duck = duckFilters(t);
  // After adelay, timestamps from the samples again: the spans are output seconds.
  if (duck) f.push('asetpts=N/SR/TB', ...duck);
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

/**
 * Adds the audio tracks; returns the label of the mix, or null when the timeline has none.
 * `durations`: seconds of the audio files, when known (a track without an out point then ends,
 * and fades out, where its file ends, not where the video does).
 */
export function buildAudio(g: Graph, tl: Timeline, paths: ReadonlyMap<string, string>, videoDuration: number, durations?: ReadonlyMap<string, number>): string | null {
  const labels = tl.audio.map((t) => track(g, t, paths, videoDuration, durations?.get(t.file))).filter((l): l is string => l !== null);
  if (labels.length === 0) return null;
  const mixed = labels.length === 1 ? labels[0]! : `${labels.join('')}amix=inputs=${labels.length}:duration=longest:dropout_transition=0:normalize=0`;
  const out = g.label('aout');
  // Silence to the end of the video, then exactly its length.
  const tail = [`apad=whole_dur=${secs(videoDuration)}`, `atrim=duration=${secs(videoDuration)}`, ...audioEffects(tl.effects)];
  g.chain(labels.length === 1 ? `${mixed}${tail.join(',')}${out}` : `${mixed},${tail.join(',')}${out}`);
  return out;
}
