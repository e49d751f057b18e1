// The chunk plan (pure): exact frame ranges, cuts moved to segment boundaries when one is near,
// render starts on the grid and never at a transition, and the ids of the chunk tasks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkPlan, chunkSubTimeline, chunkTaskId, outputFrames, planChunks } from '../../../src/shared/timeline/chunks.js';
import { TimelineSchema, type TimelineInput } from '../../../src/shared/timeline/schema.js';

const tl = (input: Omit<TimelineInput, 'output'> & { output?: Partial<TimelineInput['output']> }) =>
  TimelineSchema.parse({ ...input, output: { width: 160, height: 90, fps: 30, duration: 10, ...input.output } });
const color = (duration: number, transition?: { type: 'fade'; duration: number }) => ({ type: 'color' as const, color: 'black', duration, ...(transition ? { transition } : {}) });

test('a timeline no longer than chunkSeconds, chunkSeconds 0, or a speed effect: rendered whole', () => {
  assert.equal(planChunks(tl({ video: [color(10)] }), 10), null);
  assert.equal(planChunks(tl({ video: [color(10)] }), 0), null);
  assert.equal(planChunks(tl({ video: [color(20)], effects: { speed: 1.5 } }), 4), null);
});

test('one long segment: ceil(duration / chunkSeconds) chunks of equal frames, every one rendered from frame 0 (the only render start)', () => {
  const plan = planChunks(tl({ video: [color(8)], output: { duration: 8 } }), 4)!;
  assert.equal(plan.frames, 240);
  assert.equal(plan.audio, false);
  assert.deepEqual(plan.chunks, [
    { index: 0, from_frame: 0, to_frame: 120, start_frame: 0, segment: 0 },
    { index: 1, from_frame: 120, to_frame: 240, start_frame: 0, segment: 0 },
  ]);
});

test('a chunk whose pre-roll would be longer than chunkSeconds: the timeline is rendered whole, and why is said', () => {
  // 10 s of one segment in chunks of 4 s: chunk 2 would render 6.7 s before its first frame.
  assert.equal(planChunks(tl({ video: [color(10)] }), 4), null);
  const r = chunkPlan(tl({ video: [color(10)] }), 4);
  assert.ok('why' in r);
  assert.equal(r.why, 'chunk 2 would render 6.7 s of pre-roll (segment 0 starts at 0.0 s and has no cut before 6.7 s), more than render.chunkSeconds (4)');
  assert.deepEqual(chunkPlan(tl({ video: [color(10)] }), 20), { why: null }, 'not long: no reason needed');
});

test('cuts move to a segment boundary within a tenth of a chunk, and chunks there need no pre-roll; farther boundaries are not taken', () => {
  // Boundaries at 3.2 s (frame 96, 4 frames from the ideal 100: taken) and 6.0 s (frame 180, 20 from 200: not taken).
  const plan = planChunks(tl({ video: [color(3.2), color(2.8), color(4)] }), 4)!;
  assert.deepEqual(plan.chunks, [
    { index: 0, from_frame: 0, to_frame: 96, start_frame: 0, segment: 0 },
    { index: 1, from_frame: 96, to_frame: 200, start_frame: 96, segment: 1 },
    { index: 2, from_frame: 200, to_frame: 300, start_frame: 180, segment: 2 },
  ]);
  // The frames cover the output once, in order.
  assert.equal(plan.chunks.reduce((s, c) => s + c.to_frame - c.from_frame, 0), plan.frames);
});

test('a segment starting off the frame grid, or with a transition into it, is no render start: the chunk starts rendering earlier', () => {
  // 3.31 s is frame 99.3 (off the grid); the segment at 6.31 s has a fade into it.
  const plan = planChunks(tl({ video: [color(3.31), color(3), color(3.69, { type: 'fade', duration: 0.5 })] }), 7)!;
  // The cut (ideal 150) is 33 frames from 183 (7 s chunks: 21 frames at most), so it stays; it
  // renders from frame 0 (3.31 s is frame 99.3, off the grid): 150 frames of pre-roll.
  assert.deepEqual(plan.chunks.map((c) => [c.from_frame, c.to_frame, c.start_frame, c.segment]), [
    [0, 150, 0, 0],
    [150, 300, 0, 0],
  ]);
  // Boundaries on the grid without transitions are render starts.
  const later = planChunks(tl({ video: [color(3.3), color(3), color(3.7, { type: 'fade', duration: 0.5 })] }), 4)!;
  assert.deepEqual(later.chunks.map((c) => [c.from_frame, c.start_frame, c.segment]), [[0, 0, 0], [99, 99, 1], [200, 99, 1]]);
});

test('an output duration off the grid: the frames a whole render writes (every frame starting before the end)', () => {
  const t = tl({ video: [color(4), color(6.01)], output: { duration: 10.01 } });
  assert.equal(outputFrames(t), 301);
  const plan = planChunks(t, 5)!;
  assert.deepEqual(plan.chunks.map((c) => [c.from_frame, c.to_frame]), [[0, 100], [100, 201], [201, 301]]);
});

test('audio tracks: the plan says one audio artifact is rendered', () => {
  assert.equal(planChunks(tl({ video: [color(3), color(3), color(4)], audio: [{ file: 'a.wav' }] }), 4)!.audio, true);
});

test('a chunk compiles the segments from its render start (the first without its transition) to the last starting before its end', () => {
  const t = tl({ video: [color(2), color(2, { type: 'fade', duration: 0.5 }), color(2), color(4)] });
  const sub = chunkSubTimeline(t, { index: 1, from_frame: 70, to_frame: 150, start_frame: 60, segment: 1 });
  assert.equal(sub.video.length, 2);
  assert.equal(sub.video[0]!.transition, undefined);
  assert.equal(sub.output.duration, 3 + 2 / 30, "to its end plus CHUNK_TAIL_FRAMES");
  assert.deepEqual(sub.layers, t.layers);
});

test('chunk task ids: UUIDs, the same for the same task and chunk, different otherwise', () => {
  const p = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const a = chunkTaskId(p, 0);
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(chunkTaskId(p.toUpperCase(), 0), a);
  assert.notEqual(chunkTaskId(p, 1), a);
  assert.notEqual(chunkTaskId(p, 'audio'), a);
});
