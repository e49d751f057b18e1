// The video segments of a timeline, compiled into one stream (DESIGN §3).
//
// Decoders are bounded: consecutive clip segments joined by cuts (same fit and flip, same
// picture size) are ONE input, the concat demuxer reading an ffconcat list with inpoint and
// outpoint per segment. A timeline of 200 cuts opens one decoder, not 200. The demuxer also
// passes the frames decoded before an inpoint (from the keyframe on), with timestamps below
// the segment's start, and, in footage with B-frames, a few frames past an outpoint (it stops
// on decoding timestamps, which run behind). Tagged with their segment's interval
// (-segment_time_metadata), both are dropped by `select=concatdec_select` (this needs
// -copyts: ffmpeg would otherwise shift the timestamps, not the intervals); `fps` with
// start_time=0 then fills the output's frame grid from 0, the first frame held back to 0 when
// an inpoint falls between two frames.
//
// Each piece (a run of clips, a still, a colour) ends at the output size, yuv420p, square
// pixels and the output frame rate. Pieces joined by cuts go through one concat filter; a
// transition into a piece is an xfade over the previous pieces' end, which is first extended
// by the transition's length (its last frame held), so that every segment keeps its duration.
import { ffconcatQuote } from '../task.js';
import { fitChains } from './fit.js';
import { localPath, secs, type Graph } from './graph.js';
import { segmentDuration, type ClipSegment, type Segment, type Timeline } from './schema.js';
import { stillChains } from './still.js';
import { colorArg } from './color.js';

/** What the compiler knows of a video or image file (from ffprobe), to keep runs uniform. */
export interface SourceInfo {
  width: number;
  height: number;
}

export interface VideoContext {
  paths: ReadonlyMap<string, string>;
  sources?: ReadonlyMap<string, SourceInfo> | undefined;
  width: number;
  height: number;
  fps: number;
  workDir: string;
}

interface Piece {
  label: string;
  duration: number;
  /** The transition into this piece. */
  transition: { type: string; duration: number } | null;
}

/** Whether `seg` may join the clip run that ends with `last`: a cut, the same fit, flip and picture size. */
function joinsRun(last: ClipSegment, seg: Segment, sources: VideoContext['sources']): seg is ClipSegment {
  if (seg.type !== 'clip' || (seg.transition && seg.transition.type !== 'cut')) return false;
  if (seg.fit !== last.fit || seg.flip !== last.flip) return false;
  const a = sources?.get(last.file);
  const b = sources?.get(seg.file);
  return !a || !b || (a.width === b.width && a.height === b.height);
}

/** Consecutive segments grouped into pieces: runs of clips, single stills and colours. */
export function groupSegments(video: readonly Segment[], sources?: VideoContext['sources']): Segment[][] {
  const groups: Segment[][] = [];
  for (const seg of video) {
    const cur = groups[groups.length - 1];
    const last = cur?.[cur.length - 1];
    if (cur && last?.type === 'clip' && joinsRun(last, seg, sources)) cur.push(seg);
    else groups.push([seg]);
  }
  return groups;
}

/** The ffconcat list of a run of clips: each file with its inpoint and outpoint. */
export function runList(run: readonly ClipSegment[], paths: ReadonlyMap<string, string>): string {
  let out = 'ffconcat version 1.0\n';
  for (const seg of run) {
    out += `file ${ffconcatQuote(localPath(paths, seg.file))}\n`;
    if (seg.in > 0) out += `inpoint ${secs(seg.in)}\n`;
    out += `outpoint ${secs(seg.out)}\n`;
  }
  return out;
}

/**
 * Drops what the concat demuxer passes outside a segment's [inpoint, outpoint): the frames
 * decoded before an inpoint, and those past an outpoint in footage with B-frames. Needs the
 * input option -segment_time_metadata 1.
 */
export const DROP_PREROLL = 'select=concatdec_select';

/** A piece of `duration` seconds covering `frames` frames of the output's grid. */
function piece(g: Graph, group: Segment[], ctx: VideoContext, duration: number, frames: number): Piece {
  const first = group[0]!;
  const transition = first.transition && first.transition.type !== 'cut' ? first.transition : null;
  const out = g.label('p');
  const { width: w, height: h, fps } = ctx;
  const id = out.slice(1, -1);
  if (first.type === 'clip') {
    const run = group as ClipSegment[];
    const list = g.file(`${ctx.workDir}/run-${g.inputs.length + 1}.ffconcat`, runList(run, ctx.paths));
    const k = g.input(['-f', 'concat', '-safe', '0', '-segment_time_metadata', '1', '-i', list]);
    const sel = g.label('s');
    // At most its frames of the output's grid (a run of 0.55 s after a colour of 0.55 s gets
    // 16 frames at 30 fps, not the 17 that rounding 0.55 s alone would give).
    g.chain(`[${k}:v]${DROP_PREROLL},fps=${fps}:start_time=0,trim=end_frame=${frames}${sel}`);
    for (const c of fitChains(first.fit, sel, out, w, h, id, first.flip)) g.chain(c);
  } else if (first.type === 'still') {
    const k = g.input(['-i', localPath(ctx.paths, first.file)]);
    for (const c of stillChains(first, `[${k}:v]`, out, w, h, fps, frames, id)) g.chain(c);
  } else {
    const flip = first.flip ? ',hflip' : '';
    // Exactly its frames of the output's grid: a duration (d=0.967 for 29 frames at 30 fps,
    // rounded to the millisecond) would let one frame more through, and every later segment
    // would start a frame late.
    g.chain(`color=c=${colorArg(first.color, true)}:s=${w}x${h}:r=${fps},trim=end_frame=${frames},setsar=1${flip},format=yuv420p${out}`);
  }
  return { label: out, duration, transition };
}

/** Joins labels with one concat filter (or returns the only one). */
function concatAll(g: Graph, labels: string[], fps: number): string {
  if (labels.length === 1) return labels[0]!;
  const out = g.label('c');
  // concat's timebase is 1/1000000; xfade needs both of its inputs in the pieces' 1/fps.
  g.chain(`${labels.join('')}concat=n=${labels.length}:v=1:a=0,settb=1/${fps}${out}`);
  return out;
}

/** Adds the video segments to the graph; returns the label of the base video, `duration` seconds long. */
export function buildVideo(g: Graph, tl: Timeline, ctx: VideoContext, duration: number): string {
  const pieces: Piece[] = [];
  let t = 0;
  for (const group of groupSegments(tl.video, ctx.sources)) {
    const len = group.reduce((s, seg) => s + segmentDuration(seg), 0);
    // Frames from the grid positions of its start and end, so that rounding never accumulates.
    pieces.push(piece(g, group, ctx, len, Math.max(1, Math.round((t + len) * ctx.fps) - Math.round(t * ctx.fps))));
    t += len;
  }
  // A piece followed by a transition is extended by it first (its last frame held; one frame
  // more, so that xfade never runs out of it). Extending the piece itself, not what xfade
  // made of the pieces before it: tpad after an xfade loses the timestamps in FFmpeg 5.1.
  for (let i = 0; i + 1 < pieces.length; i++) {
    const next = pieces[i + 1]!.transition;
    if (!next) continue;
    const held = g.label('h');
    // fps after it: tpad starts the held frames at the piece's end of stream, which for a run
    // of clips is where the demuxer stopped (frames past the outpoint, dropped), not after its
    // last frame; the gap that leaves is filled with the last frame, which is what is held.
    g.chain(`${pieces[i]!.label}tpad=stop_mode=clone:stop_duration=${secs(next.duration + 1 / ctx.fps)},fps=${ctx.fps}${held}`);
    pieces[i]!.label = held;
  }
  let pending: string[] = [];
  let acc = 0;
  for (const p of pieces) {
    if (pending.length && p.transition) {
      const x = g.label('x');
      g.chain(`${concatAll(g, pending, ctx.fps)}${p.label}xfade=transition=${p.transition.type}:duration=${secs(p.transition.duration)}:offset=${secs(acc)}${x}`);
      pending = [x];
    } else {
      pending.push(p.label);
    }
    acc += p.duration;
  }
  const joined = concatAll(g, pending, ctx.fps);
  const base = g.label('base');
  g.chain(`${joined}trim=duration=${secs(duration)}${base}`);
  return base;
}
