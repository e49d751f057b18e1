// The video segments, compiled: runs of clips grouped into one concat input (ffconcat list
// with inpoint/outpoint), colours on the output's frame grid, stills as one image input, and
// transitions whose xfade offsets keep every segment's duration. Chains are asserted exactly;
// render.test.ts checks the frames they make.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { Graph } from '../../../src/shared/timeline/graph.js';
import { TimelineSchema, type ClipSegment, type Segment, type TimelineInput } from '../../../src/shared/timeline/schema.js';
import { buildVideo, DROP_PREROLL, groupSegments, runList, type SourceInfo } from '../../../src/shared/timeline/video.js';

const tl = (video: TimelineInput['video'], duration?: number) => {
  const total = video.reduce((s, v) => s + (v.type === 'clip' ? v.out - (v.in ?? 0) : v.duration), 0);
  return TimelineSchema.parse({ output: { width: 1920, height: 1080, fps: 30, duration: duration ?? total }, video });
};
const paths = (...files: string[]) => new Map(files.map((f) => [f, `/m/${f}`]));
const ctx = (p: ReadonlyMap<string, string>, sources?: ReadonlyMap<string, SourceInfo>) => ({ paths: p, sources, width: 1920, height: 1080, fps: 30, workDir: '/w' });
const CROP = 'crop=w=\'min(iw,2*round(ih*1920/1080/2))\':h=\'min(ih,2*round(iw*1080/1920/2))\',scale=1920:1080,setsar=1,format=yuv420p';
const CONCAT = ['-f', 'concat', '-safe', '0', '-segment_time_metadata', '1', '-i'];

/** Group sizes and the types of their first segments. */
const shape = (groups: Segment[][]) => groups.map((g) => `${g[0]!.type}x${g.length}`);

test('groupSegments: consecutive clips joined by cuts with the same fit and flip are one run', () => {
  const t = tl([
    { type: 'clip', file: 'a.mp4', out: 1 },
    { type: 'clip', file: 'b.mp4', in: 2, out: 3, transition: { type: 'cut', duration: 1 } },
    { type: 'clip', file: 'a.mp4', in: 5, out: 6 },
    { type: 'clip', file: 'a.mp4', out: 1, fit: 'pad' },
    { type: 'clip', file: 'a.mp4', out: 1, fit: 'pad', flip: true },
    { type: 'clip', file: 'a.mp4', out: 1, fit: 'pad', flip: true, transition: { type: 'fade', duration: 0.5 } },
    { type: 'color', color: 'red', duration: 1 },
    { type: 'clip', file: 'a.mp4', out: 1 },
    { type: 'still', file: 's.png', duration: 1 },
    { type: 'still', file: 's.png', duration: 1 },
    { type: 'clip', file: 'a.mp4', out: 1 },
  ]);
  assert.deepEqual(shape(groupSegments(t.video)), ['clipx3', 'clipx1', 'clipx1', 'clipx1', 'colorx1', 'clipx1', 'stillx1', 'stillx1', 'clipx1']);
});

test('groupSegments: clips of different picture sizes are separate runs when the sizes are known', () => {
  const t = tl([
    { type: 'clip', file: 'hd.mp4', out: 1 },
    { type: 'clip', file: 'hd2.mp4', out: 1 },
    { type: 'clip', file: 'sd.mp4', out: 1 },
    { type: 'clip', file: 'unknown.mp4', out: 1 },
    { type: 'clip', file: 'sd.mp4', out: 1 },
  ]);
  const sources = new Map<string, SourceInfo>([['hd.mp4', { width: 1920, height: 1080 }], ['hd2.mp4', { width: 1920, height: 1080 }], ['sd.mp4', { width: 640, height: 360 }]]);
  assert.deepEqual(shape(groupSegments(t.video, sources)), ['clipx2', 'clipx3']);
  // Without sizes, every cut joins the run.
  assert.deepEqual(shape(groupSegments(t.video)), ['clipx5']);
  assert.deepEqual(shape(groupSegments(t.video, new Map())), ['clipx5']);
});

test('runList: one file line per segment, inpoint when not 0, outpoint always; hostile paths quoted', () => {
  const run = tl([
    { type: 'clip', file: 'a.mp4', in: 0, out: 2.5 },
    { type: 'clip', file: 'b.mp4', in: 1.2000000000000002, out: 3.7 },
    { type: 'clip', file: 'c.mp4', in: 0.5, out: 1 },
  ]).video as ClipSegment[];
  const p = new Map([['a.mp4', '/m/a.mp4'], ['b.mp4', "/m/it's [b]; a,b:c=d\\e ✓.mp4"], ['c.mp4', '/m/c c.mp4']]);
  assert.equal(
    runList(run, p),
    "ffconcat version 1.0\nfile '/m/a.mp4'\noutpoint 2.5\nfile '/m/it'\\''s [b]; a,b:c=d\\e ✓.mp4'\ninpoint 1.2\noutpoint 3.7\nfile '/m/c c.mp4'\ninpoint 0.5\noutpoint 1\n",
  );
  assert.throws(() => runList(run, new Map([...p, ['c.mp4', '/m/c\nd.mp4']])), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && /line break/.test((err as Error).message));
});

test('a run of clips: one concat input, frames outside each [inpoint, outpoint) dropped, the output grid, then the fit', () => {
  assert.equal(DROP_PREROLL, 'select=concatdec_select');
  const g = new Graph();
  const t = tl([
    { type: 'clip', file: 'a.mp4', in: 1, out: 3 },
    { type: 'clip', file: 'b.mp4', out: 2 },
    { type: 'clip', file: 'a.mp4', in: 7.25, out: 8 },
  ]);
  assert.equal(buildVideo(g, t, ctx(paths('a.mp4', 'b.mp4')), 4.75), '[base3]');
  assert.deepEqual(g.inputs, [[...CONCAT, '/w/run-1.ffconcat']]);
  assert.deepEqual(g.files, [{ path: '/w/run-1.ffconcat', content: "ffconcat version 1.0\nfile '/m/a.mp4'\ninpoint 1\noutpoint 3\nfile '/m/b.mp4'\noutpoint 2\nfile '/m/a.mp4'\ninpoint 7.25\noutpoint 8\n" }]);
  assert.deepEqual(g.chains, [
    '[0:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=143[s2]',
    `[s2]${CROP}[p1]`,
    '[p1]trim=duration=4.75[base3]',
  ]);
});

test('runs split by size, fit or flip are separate inputs joined by one concat filter; the base is cut at the output duration', () => {
  const g = new Graph();
  const t = tl(
    [
      { type: 'clip', file: 'hd.mp4', out: 1 },
      { type: 'clip', file: 'sd.mp4', out: 1 },
      { type: 'clip', file: 'sd.mp4', in: 1, out: 2, fit: 'pad', flip: true },
    ],
    2.5,
  );
  const sources = new Map<string, SourceInfo>([['hd.mp4', { width: 1920, height: 1080 }], ['sd.mp4', { width: 640, height: 360 }]]);
  assert.equal(buildVideo(g, t, ctx(paths('hd.mp4', 'sd.mp4'), sources), 2.5), '[base8]');
  assert.deepEqual(g.inputs, [[...CONCAT, '/w/run-1.ffconcat'], [...CONCAT, '/w/run-2.ffconcat'], [...CONCAT, '/w/run-3.ffconcat']]);
  assert.deepEqual(g.files.map((f) => f.content), [
    "ffconcat version 1.0\nfile '/m/hd.mp4'\noutpoint 1\n",
    "ffconcat version 1.0\nfile '/m/sd.mp4'\noutpoint 1\n",
    "ffconcat version 1.0\nfile '/m/sd.mp4'\ninpoint 1\noutpoint 2\n",
  ]);
  assert.deepEqual(g.chains, [
    '[0:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=30[s2]',
    `[s2]${CROP}[p1]`,
    '[1:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=30[s4]',
    `[s4]${CROP}[p3]`,
    '[2:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=30[s6]',
    '[s6]scale=1920:1080:force_original_aspect_ratio=decrease,pad=1920:1080:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,hflip,format=yuv420p[p5]',
    // concat's time base is 1/1000000: back to the pieces' 1/fps.
    '[p1][p3][p5]concat=n=3:v=1:a=0,settb=1/30[c7]',
    '[c7]trim=duration=2.5[base8]',
  ]);
});

test('colours: exactly their frames of the output grid (rounded where they fall), opaque, flipped when asked', () => {
  const g = new Graph();
  const t = tl([
    { type: 'color', color: 'black', duration: 0.55 },
    { type: 'color', color: '#ff000080', duration: 0.55, flip: true },
    { type: 'color', color: 'white', duration: 0.9 },
  ]);
  buildVideo(g, t, ctx(paths()), 2);
  assert.deepEqual(g.inputs, []);
  assert.deepEqual(g.chains, [
    // 0.55 s: frames 0-16 (round(16.5) = 17); 1.1 s: frames 17-32; 2 s: frames 33-59.
    'color=c=0x000000:s=1920x1080:r=30,trim=end_frame=17,setsar=1,format=yuv420p[p1]',
    'color=c=0xff0000:s=1920x1080:r=30,trim=end_frame=16,setsar=1,hflip,format=yuv420p[p2]',
    'color=c=0xffffff:s=1920x1080:r=30,trim=end_frame=27,setsar=1,format=yuv420p[p3]',
    '[p1][p2][p3]concat=n=3:v=1:a=0,settb=1/30[c4]',
    '[c4]trim=duration=2[base5]',
  ]);
});

test('a still: one image input, fitted, its piece joined like any other', () => {
  const g = new Graph();
  const t = tl([
    { type: 'still', file: 's.png', duration: 2, fit: 'pad' },
    { type: 'color', color: 'red', duration: 1 },
  ]);
  assert.equal(buildVideo(g, t, ctx(paths('s.png')), 3), '[base4]');
  assert.deepEqual(g.inputs, [['-i', '/m/s.png']]);
  // The still's own chains belong to still.ts; they start from the input and end at its piece.
  const concat = g.chains.indexOf('[p1][p2]concat=n=2:v=1:a=0,settb=1/30[c3]');
  assert.ok(concat > 0, g.chains.join('\n'));
  assert.ok(g.chains[0]!.startsWith('[0:v]'));
  assert.ok(g.chains.slice(0, concat).some((c) => c.endsWith('[p1]')));
  assert.equal(g.chains[g.chains.length - 1], '[c3]trim=duration=3[base4]');
});

test('transitions: three segments, two xfades at the cumulative durations, each previous piece held for the transition (one frame more)', () => {
  const g = new Graph();
  const t = tl([
    { type: 'clip', file: 'a.mp4', in: 1, out: 3 },
    { type: 'clip', file: 'b.mp4', out: 3, transition: { type: 'fade', duration: 1 } },
    { type: 'clip', file: 'c.mp4', in: 2, out: 6, transition: { type: 'wipeleft', duration: 0.5 } },
  ]);
  assert.equal(buildVideo(g, t, ctx(paths('a.mp4', 'b.mp4', 'c.mp4')), 9), '[base11]');
  assert.equal(g.inputs.length, 3);
  assert.deepEqual(g.chains, [
    '[0:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=60[s2]',
    `[s2]${CROP}[p1]`,
    '[1:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=90[s4]',
    `[s4]${CROP}[p3]`,
    '[2:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=120[s6]',
    `[s6]${CROP}[p5]`,
    '[p1]tpad=stop_mode=clone:stop_duration=1.033,fps=30[h7]',
    '[p3]tpad=stop_mode=clone:stop_duration=0.533,fps=30[h8]',
    // 2 + 3 + 4 = 9 s: the transitions start where the previous segments end.
    '[h7][h8]xfade=transition=fade:duration=1:offset=2[x9]',
    '[x9][p5]xfade=transition=wipeleft:duration=0.5:offset=5[x10]',
    '[x10]trim=duration=9[base11]',
  ]);
});

test('transitions and cuts mixed: cut pieces are concatenated, then faded into; the first segment\'s transition is ignored', () => {
  const g = new Graph();
  const t = tl([
    { type: 'color', color: 'red', duration: 1, transition: { type: 'fade', duration: 0.5 } },
    { type: 'color', color: 'green', duration: 1 },
    { type: 'color', color: 'blue', duration: 1, transition: { type: 'dissolve', duration: 0.25 } },
    { type: 'color', color: 'white', duration: 1 },
  ]);
  buildVideo(g, t, ctx(paths()), 4);
  assert.deepEqual(g.chains.slice(4), [
    '[p2]tpad=stop_mode=clone:stop_duration=0.283,fps=30[h5]',
    '[p1][h5]concat=n=2:v=1:a=0,settb=1/30[c7]',
    '[c7][p3]xfade=transition=dissolve:duration=0.25:offset=2[x6]',
    '[x6][p4]concat=n=2:v=1:a=0,settb=1/30[c8]',
    '[c8]trim=duration=4[base9]',
  ]);
});

test('a segment longer than the output is cut by the final trim only', () => {
  const g = new Graph();
  buildVideo(g, tl([{ type: 'clip', file: 'a.mp4', out: 10 }], 4), ctx(paths('a.mp4')), 4);
  assert.deepEqual(g.chains, ['[0:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=300[s2]', `[s2]${CROP}[p1]`, '[p1]trim=duration=4[base3]']);
  assert.throws(() => buildVideo(new Graph(), tl([{ type: 'clip', file: 'a.mp4', out: 1 }]), ctx(paths()), 1), /has no local copy/);
});
