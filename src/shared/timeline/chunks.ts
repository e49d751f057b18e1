// The chunk plan (docs/chunks.md): a long timeline cut into frame ranges that render on many
// nodes and join without re-encoding. Pure: (timeline, chunk length) -> ranges of the output's
// frame grid, tested exactly in test/shared/timeline/chunks.test.ts.
//
// Every chunk is rendered in GLOBAL time: its video starts at a "render start" (a segment
// start on the frame grid with no transition into it, at or before the chunk's first frame),
// its frames are shifted by that start, so that every layer, caption, animation, looped
// overlay and Ken Burns zoom sees the same times as in a whole render; the frames before the
// chunk's first frame (the pre-roll) are rendered through the filters and trimmed, never
// encoded. A cut is moved to a segment boundary when one is near, so that most chunks need no
// pre-roll at all.
import { createHash } from 'node:crypto';
import { segmentDuration, type Segment, type Timeline } from './schema.js';

export interface ChunkRange {
  /** 0-based, in output order; the file is chunks/<task>/<index>.mp4. */
  index: number;
  /** The chunk's frames of the output's grid: [from_frame, to_frame). */
  from_frame: number;
  to_frame: number;
  /** Where its render starts: a segment start on the grid (from_frame - start_frame frames are pre-roll). */
  start_frame: number;
  /** The index in timeline.video of the segment that starts at start_frame. */
  segment: number;
}

export interface ChunkPlan {
  fps: number;
  /** Frames of the whole output (what a whole render writes). */
  frames: number;
  chunks: ChunkRange[];
  /** Whether the timeline has audio tracks: then one audio task renders audio.m4a for the whole output. */
  audio: boolean;
}

/** How far a cut may move to reach a segment boundary: a tenth of the chunk length. */
export const SNAP_FRACTION = 0.1;
/** Frame positions closer than this to an integer are on the grid (float noise of sums of seconds). */
const GRID_EPS = 1e-6;

/** Frames a whole render writes: the base video is trimmed to the duration, so every frame starting before it. */
export function outputFrames(tl: Timeline): number {
  return Math.max(1, Math.ceil(tl.output.duration * tl.output.fps - GRID_EPS));
}

/** Each segment's start on the frame grid (a fractional frame position), in order. */
function segmentStarts(tl: Timeline): number[] {
  const out: number[] = [];
  let t = 0;
  for (const seg of tl.video) {
    out.push(t * tl.output.fps);
    t += segmentDuration(seg);
  }
  return out;
}

/**
 * Why the timeline is rendered whole even when it is long, or null when it may be chunked.
 * effects.speed retimes every frame (setpts): a chunk's frames would not map onto the grid.
 */
export function unchunkable(tl: Timeline): string | null {
  if (tl.effects.speed !== 1) return `effects.speed is ${tl.effects.speed}`;
  return null;
}

/**
 * The chunk plan of a timeline, or null when it is rendered whole: no longer than
 * `chunkSeconds` (0: never chunk), or unchunkable. The number of chunks is
 * ceil(duration / chunkSeconds); cut k is ideally at k * frames / n, moved to the nearest
 * segment boundary within SNAP_FRACTION of a chunk.
 */
export function planChunks(tl: Timeline, chunkSeconds: number): ChunkPlan | null {
  const r = chunkPlan(tl, chunkSeconds);
  return 'plan' in r ? r.plan : null;
}

/**
 * planChunks with the reason a long timeline is rendered whole (null: not long). One reason is
 * the pre-roll: a chunk that starts deep inside a long segment (a 20-minute Ken Burns still, a
 * long clip with a transition into what follows...) renders every frame of that segment before
 * its own (quadratic work over the chunks, and no progress output meanwhile, which the stall
 * watchdog would take for a hang), so a plan with a pre-roll longer than `chunkSeconds` is
 * not made.
 */
export function chunkPlan(tl: Timeline, chunkSeconds: number): { plan: ChunkPlan } | { why: string | null } {
  const fps = tl.output.fps;
  const duration = tl.output.duration;
  if (chunkSeconds <= 0 || duration <= chunkSeconds) return { why: null };
  const refusal = unchunkable(tl);
  if (refusal) return { why: refusal };
  const frames = outputFrames(tl);
  const n = Math.ceil(duration / chunkSeconds);
  const per = frames / n;
  if (per < 1) return { why: 'fewer frames than chunks' };
  const starts = segmentStarts(tl);
  // Boundaries a cut may move to: every segment start but the first, on the grid (rounded).
  const boundaries = starts.slice(1).map((s) => Math.round(s)).filter((f) => f > 0 && f < frames);
  const window = Math.floor(per * SNAP_FRACTION);
  const cuts: number[] = [0];
  for (let k = 1; k < n; k++) {
    const ideal = Math.round(k * per);
    let best = ideal;
    let dist = Infinity;
    for (const b of boundaries) {
      const d = Math.abs(b - ideal);
      if (d <= window && (d < dist || (d === dist && b < best))) {
        best = b;
        dist = d;
      }
    }
    // Strictly increasing: a snapped cut never reaches the previous one.
    if (best > cuts[cuts.length - 1]!) cuts.push(best);
  }
  cuts.push(frames);
  // Render starts: segment starts exactly on the grid, with no transition into them (a
  // transition blends the segment before, which such a render would not have).
  const renderStarts: { frame: number; segment: number }[] = [];
  tl.video.forEach((seg, i) => {
    const s = starts[i]!;
    const onGrid = Math.abs(s - Math.round(s)) < GRID_EPS * Math.max(1, s);
    const cut = i === 0 || !seg.transition || seg.transition.type === 'cut';
    if (onGrid && cut) renderStarts.push({ frame: Math.round(s), segment: i });
  });
  const chunks: ChunkRange[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const from = cuts[k]!;
    // The latest render start at or before the chunk's first frame (segment 0 always is one).
    let start = renderStarts[0]!;
    for (const r of renderStarts) if (r.frame <= from) start = r;
    chunks.push({ index: k, from_frame: from, to_frame: cuts[k + 1]!, start_frame: start.frame, segment: start.segment });
  }
  const longest = chunks.reduce((m, c) => (c.from_frame - c.start_frame > m.from_frame - m.start_frame ? c : m), chunks[0]!);
  const preRoll = (longest.from_frame - longest.start_frame) / fps;
  if (preRoll > chunkSeconds) return { why: `chunk ${longest.index} would render ${preRoll.toFixed(1)} s of pre-roll (segment ${longest.segment} starts at ${(longest.start_frame / fps).toFixed(1)} s and has no cut before ${(longest.from_frame / fps).toFixed(1)} s), more than render.chunkSeconds (${chunkSeconds})` };
  return { plan: { fps, frames, chunks, audio: tl.audio.length > 0 } };
}

/**
 * The task id of chunk `index` (or of the audio, 'audio') of task `parent`: a UUID derived
 * from both (RFC 9562 version 8), so that splitting a task again publishes the same ids.
 */
export function chunkTaskId(parent: string, index: number | 'audio'): string {
  const h = createHash('sha256').update(`clipmill-chunk:${parent.toLowerCase()}:${index}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Frames rendered past a chunk's end (when the output has them) and trimmed: overlays and blends see the same next frame as in a whole render, which decides when they emit the last one. */
export const CHUNK_TAIL_FRAMES = 2;

/**
 * The part of the timeline a chunk's render compiles: the segments from its render start (the
 * first without its transition) to the last one that starts before the chunk's end (plus
 * CHUNK_TAIL_FRAMES), lasting up to there. Layers, audio and effects stay as they are (global times).
 */
export function chunkSubTimeline(tl: Timeline, c: ChunkRange): Timeline {
  const starts = segmentStarts(tl);
  const end = Math.min(c.to_frame + CHUNK_TAIL_FRAMES, outputFrames(tl));
  const video = tl.video.filter((_, i) => i >= c.segment && (i === c.segment || starts[i]! < end - GRID_EPS));
  const { transition: _dropped, ...head } = video[0]!;
  return { ...tl, video: [head as Segment, ...video.slice(1)], output: { ...tl.output, duration: (end - c.start_frame) / tl.output.fps } };
}
