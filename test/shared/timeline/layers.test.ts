// The layers above the video, chain by chain: image layers placed on the 3x3 grid with their
// margin or at x/y, scaled, with opacity and their entry animations; looped video layers
// blended normal or screen with their opacity; borders; time ranges. Text layers belong to
// text/ (their own tests). render.test.ts checks the pixels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../../src/shared/timeline/graph.js';
import { buildLayers, enableOption, placeExpr, type LayerContext } from '../../../src/shared/timeline/layers.js';
import { POSITIONS, TimelineSchema, type TimelineInput } from '../../../src/shared/timeline/schema.js';

const tl = (layers: TimelineInput['layers'], duration = 10) =>
  TimelineSchema.parse({ output: { width: 1920, height: 1080, fps: 30, duration }, video: [{ type: 'color', color: 'black', duration }], layers });
const ctx = (scale = 1, duration = 10): LayerContext => ({
  paths: new Map([['logo.png', '/m/logo.png'], ['leak.mp4', '/m/leak.mp4']]),
  canvas: { width: Math.round(1920 * scale), height: Math.round(1080 * scale), scale },
  fps: 30,
  workDir: '/w',
  duration,
});

/** The layers built over `[base]`: the inputs, the chains and the last label. */
function build(layers: TimelineInput['layers'], c = ctx()) {
  const g = new Graph();
  const out = buildLayers(g, tl(layers, c.duration), '[base]', c);
  return { inputs: g.inputs, chains: g.chains, out };
}

test('enableOption: nothing for a layer over the whole video; otherwise its start included, its end excluded, the end cut at the video', () => {
  assert.equal(enableOption(0, undefined, 10), '');
  assert.equal(enableOption(0, 10, 10), '');
  assert.equal(enableOption(0, 12, 10), '');
  assert.equal(enableOption(1, undefined, 10), ":enable='gte(t,1)*lt(t,10)'");
  assert.equal(enableOption(0, 4.5, 10), ":enable='gte(t,0)*lt(t,4.5)'");
  assert.equal(enableOption(2.0000001, 30, 10), ":enable='gte(t,2)*lt(t,10)'");
});

test('placeExpr: the 3x3 grid with the margin on the edges it is anchored to; x and y replace the position on their axis', () => {
  const at = (position: (typeof POSITIONS)[number], margin = 20, scale = 1, x?: number, y?: number) => placeExpr({ position, margin, x, y }, scale);
  assert.deepEqual(
    POSITIONS.map((p) => at(p)),
    [
      { x: '20', y: '20' },
      { x: '(W-w)/2', y: '20' },
      { x: 'W-w-20', y: '20' },
      { x: '20', y: '(H-h)/2' },
      { x: '(W-w)/2', y: '(H-h)/2' },
      { x: 'W-w-20', y: '(H-h)/2' },
      { x: '20', y: 'H-h-20' },
      { x: '(W-w)/2', y: 'H-h-20' },
      { x: 'W-w-20', y: 'H-h-20' },
    ],
  );
  assert.deepEqual(at('bottom-right', 0), { x: 'W-w-0', y: 'H-h-0' });
  // A draft scales the margin and x/y with the picture.
  assert.deepEqual(at('bottom-right', 30, 0.5), { x: 'W-w-15', y: 'H-h-15' });
  assert.deepEqual(at('bottom-right', 30, 1, 100), { x: '100', y: 'H-h-30' });
  assert.deepEqual(at('center', 30, 1, undefined, -40), { x: '(W-w)/2', y: '-40' });
  assert.deepEqual(at('center', 30, 4 / 9, 100, 50), { x: '44', y: '22' });
});

test('an image layer: its own input, scaled to a fraction of the output width, overlaid at its place for its time range', () => {
  const { inputs, chains, out } = build([{ type: 'image', file: 'logo.png', position: 'bottom-right', margin: 30, scale: 0.1, start: 1, end: 4 }]);
  assert.deepEqual(inputs, [['-i', '/m/logo.png']]);
  assert.deepEqual(chains, ['[0:v]scale=192:-2,format=rgba[i1]', "[base][i1]overlay=x=W-w-30:y=H-h-30:enable='gte(t,1)*lt(t,4)'[l2]"]);
  assert.equal(out, '[l2]');
});

test('image layers in order, each over the previous one; opacity through the alpha channel; a draft scales sizes and places', () => {
  const layers: TimelineInput['layers'] = [
    { type: 'image', file: 'logo.png', opacity: 0.5 },
    { type: 'image', file: 'logo.png', position: 'center', scale: 0.25, x: 100, y: 50 },
  ];
  assert.deepEqual(build(layers).chains, [
    '[0:v]scale=288:-2,format=rgba,colorchannelmixer=aa=0.5[i1]',
    '[base][i1]overlay=x=0:y=0[l2]',
    '[1:v]scale=480:-2,format=rgba[i3]',
    '[l2][i3]overlay=x=100:y=50[l4]',
  ]);
  assert.deepEqual(build(layers, ctx(0.5)).chains, [
    '[0:v]scale=144:-2,format=rgba,colorchannelmixer=aa=0.5[i1]',
    '[base][i1]overlay=x=0:y=0[l2]',
    '[1:v]scale=240:-2,format=rgba[i3]',
    '[l2][i3]overlay=x=50:y=25[l4]',
  ]);
});

test('fade: the image repeated from its start to its end (cut at the video) in microseconds, its alpha faded in', () => {
  const { chains } = build([{ type: 'image', file: 'logo.png', x: 100, y: 50, animation: 'fade', start: 2, end: 12 }]);
  assert.deepEqual(chains, [
    // (10 - 2) s at 30 fps: 240 frames.
    '[0:v]scale=288:-2,format=rgba,loop=loop=239:size=1,settb=AVTB,setpts=N/(30*TB)+2/TB,fade=t=in:st=2:d=0.5:alpha=1[i1]',
    "[base][i1]overlay=x='100':y='50':eof_action=pass[l2]",
  ]);
  // An animation longer than the layer lasts as long as the layer.
  assert.match(build([{ type: 'image', file: 'logo.png', animation: 'fade', animation_duration: 3, start: 1, end: 2 }]).chains[0]!, /loop=loop=29:size=1,.*fade=t=in:st=1:d=1:alpha=1\[i1\]$/);
});

test('zoom: the width grows from a tenth, evaluated per frame, from the anchor', () => {
  const { chains } = build([{ type: 'image', file: 'logo.png', position: 'center', animation: 'zoom', animation_duration: 1, opacity: 0.8 }]);
  assert.deepEqual(chains, [
    "[0:v]scale=288:-2,format=rgba,colorchannelmixer=aa=0.8,loop=loop=299:size=1,settb=AVTB,setpts=N/(30*TB)+0/TB,scale=w='max(2,288*(0.1+0.9*min(1,max(0,(t-0)/1))))':h=-2:eval=frame[i1]",
    "[base][i1]overlay=x='(W-w)/2':y='(H-h)/2':eof_action=pass[l2]",
  ]);
});

test('slide: in from the nearer side edge, easing out', () => {
  const slide = (l: { position?: (typeof POSITIONS)[number]; x?: number }) => build([{ type: 'image', file: 'logo.png', animation: 'slide', start: 0.5, end: 3, ...l }]).chains[1]!;
  const p = 'pow(1-min(1,max(0,(t-0.5)/0.5)),2)';
  assert.equal(slide({ position: 'right' }), `[base][i1]overlay=x='(W-w-0)+((W)-(W-w-0))*${p}':y='(H-h)/2':eof_action=pass[l2]`);
  assert.equal(slide({ position: 'bottom-left' }), `[base][i1]overlay=x='(0)+((-w)-(0))*${p}':y='H-h-0':eof_action=pass[l2]`);
  assert.equal(slide({ position: 'top' }), `[base][i1]overlay=x='((W-w)/2)+((-w)-((W-w)/2))*${p}':y='0':eof_action=pass[l2]`);
  // x decides: right of the middle comes from the right.
  assert.equal(slide({ position: 'top-left', x: 1200 }), `[base][i1]overlay=x='(1200)+((W)-(1200))*${p}':y='0':eof_action=pass[l2]`);
  assert.match(build([{ type: 'image', file: 'logo.png', animation: 'slide', start: 0.5, end: 3 }]).chains[0]!, /loop=loop=74:size=1,settb=AVTB,setpts=N\/\(30\*TB\)\+0\.5\/TB\[i1\]$/);
});

test('a looped video layer, normal: stretched to the output, mixed at its opacity in YUV', () => {
  const { inputs, chains, out } = build([{ type: 'video', file: 'leak.mp4', opacity: 0.4 }]);
  assert.deepEqual(inputs, [['-stream_loop', '-1', '-i', '/m/leak.mp4']]);
  assert.deepEqual(chains, [
    '[0:v]setpts=PTS-STARTPTS,scale=1920:1080,setsar=1,fps=30,format=yuv420p[v1]',
    // blend's normal mode is first*opacity + second*(1-opacity): the video under it is first.
    '[base][v1]blend=all_mode=normal:all_opacity=0.6:shortest=1[l2]',
  ]);
  assert.equal(out, '[l2]');
});

test('a looped video layer, screen: both blended as planar RGB (black leaves the picture as it is), for its time range', () => {
  const { chains } = build([{ type: 'video', file: 'leak.mp4', blend: 'screen', opacity: 0.5, start: 3 }], ctx(0.25));
  assert.deepEqual(chains, [
    '[0:v]setpts=PTS-STARTPTS,scale=480:270:flags=bicubic+accurate_rnd,setsar=1,fps=30,format=gbrp[v1]',
    '[base]scale=flags=accurate_rnd,format=gbrp[b2]',
    "[b2][v1]blend=all_mode=screen:all_opacity=0.5:shortest=1:enable='gte(t,3)*lt(t,10)',format=yuv420p[l3]",
  ]);
});

test('a border: drawn inside the picture, its width scaled with a draft, at least one pixel, its colour with alpha', () => {
  assert.deepEqual(build([{ type: 'border' }]).chains, ['[base]drawbox=x=0:y=0:w=iw:h=ih:color=0xffffff:t=12[l1]']);
  assert.deepEqual(build([{ type: 'border', color: '#ff000080', width: 12, end: 5 }], ctx(4 / 9)).chains, ["[base]drawbox=x=0:y=0:w=iw:h=ih:color=0xff0000@0.502:t=5:enable='gte(t,0)*lt(t,5)'[l1]"]);
  assert.deepEqual(build([{ type: 'border', width: 1 }], ctx(0.25)).chains, ['[base]drawbox=x=0:y=0:w=iw:h=ih:color=0xffffff:t=1[l1]']);
});

test('no layers: the base as it is; every kind together keeps the order written', () => {
  assert.deepEqual(build([]), { inputs: [], chains: [], out: '[base]' });
  const { inputs, chains, out } = build([
    { type: 'border', width: 4 },
    { type: 'video', file: 'leak.mp4' },
    { type: 'image', file: 'logo.png' },
  ]);
  assert.deepEqual(inputs, [['-stream_loop', '-1', '-i', '/m/leak.mp4'], ['-i', '/m/logo.png']]);
  assert.deepEqual(chains, [
    '[base]drawbox=x=0:y=0:w=iw:h=ih:color=0xffffff:t=4[l1]',
    '[0:v]setpts=PTS-STARTPTS,scale=1920:1080,setsar=1,fps=30,format=yuv420p[v2]',
    '[l1][v2]blend=all_mode=normal:all_opacity=0:shortest=1[l3]',
    '[1:v]scale=288:-2,format=rgba[i4]',
    '[l3][i4]overlay=x=0:y=0[l5]',
  ]);
  assert.equal(out, '[l5]');
});
