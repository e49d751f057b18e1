// Image layers in a box (fitted whole, the rest of the box transparent), with a Ken Burns view
// moving inside it, and borders around a rectangle: the layer order of the golden-frame
// template (a background, an atmosphere, the content over it, a frame over that). Argv chain
// by chain, then rendered for real and probed pixel by pixel.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Graph } from '../../../src/shared/timeline/graph.js';
import { buildLayers, type LayerContext } from '../../../src/shared/timeline/layers.js';
import { TimelineSchema, type TimelineInput } from '../../../src/shared/timeline/schema.js';
import { frameAt, pixelTrack, render, runFfmpeg, timeline, type Rgb } from './render-media.js';

const tl = (layers: TimelineInput['layers'], duration = 10) =>
  TimelineSchema.parse({ output: { width: 1080, height: 1920, fps: 30, duration }, video: [{ type: 'color', color: '#050505', duration }], layers });
const ctx = (scale = 1, duration = 10): LayerContext => ({
  paths: new Map([['p.png', '/m/p.png']]),
  canvas: { width: Math.round(1080 * scale), height: Math.round(1920 * scale), scale },
  fps: 30,
  workDir: '/w',
  duration,
});

test('schema: ken_burns needs a box and no animation; a border rect has a size', () => {
  const bad = (layer: Record<string, unknown>) => TimelineSchema.safeParse({ output: { width: 100, height: 100, fps: 30, duration: 1 }, video: [{ type: 'color', color: 'black', duration: 1 }], layers: [layer] });
  const kb = { from: { zoom: 1 }, to: { zoom: 1.05 } };
  const noBox = bad({ type: 'image', file: 'p.png', ken_burns: kb });
  assert.equal(noBox.success, false);
  assert.deepEqual(noBox.error!.issues[0]!.path, ['layers', 0, 'ken_burns']);
  const animated = bad({ type: 'image', file: 'p.png', box: { width: 10, height: 10 }, ken_burns: kb, animation: 'fade' });
  assert.deepEqual(animated.error!.issues[0]!.path, ['layers', 0, 'animation']);
  assert.equal(bad({ type: 'border', rect: { x: 0, y: 0, width: 0, height: 10 } }).success, false);
  assert.equal(bad({ type: 'image', file: 'p.png', box: { width: 10, height: 10 }, ken_burns: kb }).success, true);
});

test('a boxed image without motion: fitted into the box on a transparent pad, placed by position, bounded in time', () => {
  const g = new Graph();
  const out = buildLayers(g, tl([{ type: 'image', file: 'p.png', box: { width: 900, height: 1600 }, position: 'center', start: 2, end: 4 }]), '[base]', ctx());
  assert.deepEqual(g.inputs, [['-i', '/m/p.png']]);
  assert.deepEqual(g.chains, [
    '[0:v]scale=900:1600:force_original_aspect_ratio=decrease,setsar=1,format=yuva420p,pad=900:1600:(ow-iw)/2:(oh-ih)/2:color=black@0[i1]',
    "[base][i1]overlay=x=(W-w)/2:y=(H-h)/2:enable='gte(t,2)*lt(t,4)'[l2]",
  ]);
  assert.equal(out, '[l2]');
});

test('a boxed image with ken_burns: the still Ken Burns chains with transparent margins (yuva420p, black@0), its frames moved to the layer start (a run of one), a draft scaling the box', () => {
  const g = new Graph();
  buildLayers(g, tl([{ type: 'image', file: 'p.png', box: { width: 900, height: 1600 }, position: 'center', start: 1.5, end: 3.5, ken_burns: { from: { zoom: 1 }, to: { zoom: 1.05 } } }]), '[base]', ctx(0.5));
  assert.equal(g.chains.length, 4);
  // The box at half size (450x800), its canvas 2.12 times that (S for a zoom of 1.05), with transparent bars.
  assert.equal(g.chains[0], '[0:v]scale=954:1696:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1,format=yuva420p,pad=w=1960-iw:h=3480-ih:x=(ow-iw)/2:y=(oh-ih)/2:color=black@0[i1p0cv]');
  assert.match(g.chains[1]!, /^\[i1p0cv\]loop=loop=59:size=1,.*zoompan=z='2650\/\(2650\/\(pow\(1\.05,on\/59\)\)\+1\)'.*:d=1:s=450x800:fps=30,setsar=1,format=yuva420p,settb=1\/30,setpts=N,fps=30\[i1p0\]$/);
  assert.equal(g.chains[2], '[i1p0]concat=n=1:v=1:a=0,setpts=PTS+1.5/TB[i1]');
  assert.equal(g.chains[3], '[base][i1]overlay=x=(W-w)/2:y=(H-h)/2:eof_action=pass[l2]');
});

test('boxed image layers back to back (same box, place and opacity): one stream, each part made for its own frames, concat, one overlay; one input per file, split to its shots; a gap or another box breaks the run', () => {
  const g = new Graph();
  const kb = { from: { zoom: 1 }, to: { zoom: 1.05 } };
  const shot = (start: number, end: number, extra = {}) => ({ type: 'image' as const, file: 'p.png', box: { width: 900, height: 1600 }, position: 'center' as const, start, end, ...extra });
  const out = buildLayers(g, tl([shot(0, 1.5, { ken_burns: kb }), shot(1.5, 2.5), shot(2.5, 4, { ken_burns: kb }), shot(4.5, 5), shot(5, 6, { box: { width: 800, height: 1600 } })]), '[base]', ctx());
  // The run's three shots of p.png: one input split in three; the two layers after it: one each.
  assert.equal(g.inputs.length, 3);
  assert.ok(g.chains.includes('[0:v]split=3[i1s0_0][i1s0_1][i1s0_2]'));
  const concat = g.chains.find((c) => c.includes('concat='))!;
  assert.equal(concat, '[i1p0][i1p1][i1p2]concat=n=3:v=1:a=0,setpts=PTS+0/TB[i1]');
  assert.ok(g.chains.includes('[base][i1]overlay=x=(W-w)/2:y=(H-h)/2:eof_action=pass[l2]'));
  // The parts: 45 frames of Ken Burns, 30 of the fitted picture repeated, 45 of Ken Burns.
  assert.ok(g.chains.some((c) => /loop=loop=44:size=1,.*zoompan=.*s=900x1600.*\[i1p0\]$/.test(c)));
  assert.ok(g.chains.includes('[i1s0_1]scale=900:1600:force_original_aspect_ratio=decrease,setsar=1,format=yuva420p,pad=900:1600:(ow-iw)/2:(oh-ih)/2:color=black@0,loop=loop=29:size=1,settb=1/30,setpts=N[i1p1]'));
  assert.ok(g.chains.some((c) => /loop=loop=44:size=1,.*\[i1p2\]$/.test(c)));
  // After the gap (4 -> 4.5) and with another box: layers of their own.
  assert.equal(g.chains.filter((c) => c.includes('overlay=')).length, 3);
  assert.equal(out, '[l6]');
});

test('a border inside a rect: drawbox at the rect (scaled in a draft), else around the whole picture', () => {
  const g = new Graph();
  buildLayers(g, tl([{ type: 'border', color: '#D4AF37', width: 12, rect: { x: 78, y: 148, width: 924, height: 1624 } }, { type: 'border', width: 4 }]), '[base]', ctx(0.5));
  assert.deepEqual(g.chains, ['[base]drawbox=x=39:y=74:w=462:h=812:color=0xd4af37:t=6[l1]', '[l1]drawbox=x=0:y=0:w=iw:h=ih:color=0xffffff:t=2[l2]']);
});

// ---- rendered ----
let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'clipmill-box-'));
  await mkdir(join(root, 'out'));
  // A red square product PNG, a glitter stand-in (a uniform blue video), and a frame PNG:
  // opaque gold with a transparent 80x140 hole.
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=red:s=40x40,format=rgba', '-frames:v', '1', join(root, 'product.png')]);
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=blue:s=54x96:r=30:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(root, 'glitter.mp4')]);
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=black:s=108x192,format=rgba', '-vf', "geq=r=212:g=175:b=55:a='if(between(X,14,93)*between(Y,26,165),0,255)'", '-frames:v', '1', join(root, 'frame.png')]);
});
after(() => rm(root, { recursive: true, force: true }));

const close = (actual: Rgb, expected: Rgb, tolerance: number, what: string) => assert.ok(actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance), `${what}: ${JSON.stringify(actual)} is not within ${tolerance} of ${JSON.stringify(expected)}`);

test('rendered: background, atmosphere at 70% over it, the boxed product (Ken Burns) over that only in its time, the frame PNG over all with the content in its hole', async () => {
  const t = timeline({
    output: { width: 108, height: 192, fps: 30, duration: 2 },
    video: [{ type: 'color', color: '#050505', duration: 2 }],
    layers: [
      { type: 'video', file: 'glitter.mp4', opacity: 0.7, blend: 'normal' },
      { type: 'image', file: 'product.png', box: { width: 90, height: 160 }, position: 'center', start: 0.5, end: 1.5, ken_burns: { from: { zoom: 1 }, to: { zoom: 1.05 } } },
      { type: 'image', file: 'frame.png', scale: 1, position: 'center' },
    ],
  });
  const { path } = await render(t, root, join(root, 'out'), 'layers');
  // Blue at 70% over #050505: 0.7*255 + 0.3*5 in blue, 0.3*5 elsewhere (limited-range rounding).
  const atmosphere: Rgb = [2, 2, 180];
  const early = await frameAt(path, 0.25, 108, 192);
  close(early.at(54, 96), atmosphere, 14, 'the hole before the product: atmosphere over the background');
  close(early.at(4, 4), [212, 175, 55], 14, 'the frame PNG over the atmosphere');
  const mid = await frameAt(path, 1, 108, 192);
  close(mid.at(54, 96), [255, 0, 0], 24, 'the product in the hole');
  // The product (90x90 in a 90x160 box) leaves the top of the box transparent: atmosphere there.
  close(mid.at(54, 36), atmosphere, 14, 'the box around the product is transparent');
  close(mid.at(4, 96), [212, 175, 55], 14, 'the frame over everything');
  const late = await frameAt(path, 1.75, 108, 192);
  close(late.at(54, 96), atmosphere, 14, 'the product is gone after its end');
  // Frame by frame, the hole's middle: atmosphere 15 frames, red 30, atmosphere 15.
  const track = (await pixelTrack(path, 54, 96)).map(([r, , b]) => (r > 150 && b < 80 ? 'P' : b > 140 && r < 60 ? 'A' : '?'));
  assert.equal(track.join(''), 'A'.repeat(15) + 'P'.repeat(30) + 'A'.repeat(15));
  // The zoom: the product's top edge moves up (1.0 -> 1.05 of the box) between its first and last frame.
  const edge = async (at: number) => {
    const f = await frameAt(path, at, 108, 192);
    let y = 96;
    while (y > 0 && f.at(54, y - 1)[0] > 150 && f.at(54, y - 1)[2] < 80) y--;
    return y;
  };
  const [first, last] = [await edge(0.5), await edge(1.49)];
  assert.ok(first - last >= 1 && first - last <= 4, `the product grows: its top at ${first} then ${last}`);
});

test('rendered: two shots back to back in one stream cut on the frame, the box transparent around each', async () => {
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=blue:s=40x60,format=rgba', '-frames:v', '1', join(root, 'tall.png')]);
  const kb = { from: { zoom: 1 }, to: { zoom: 1.05 } };
  const t = timeline({
    output: { width: 108, height: 192, fps: 30, duration: 2 },
    video: [{ type: 'color', color: '#050505', duration: 2 }],
    layers: [
      { type: 'image', file: 'product.png', box: { width: 90, height: 160 }, position: 'center', start: 0.2, end: 1.1, ken_burns: kb },
      { type: 'image', file: 'tall.png', box: { width: 90, height: 160 }, position: 'center', start: 1.1, end: 1.8, ken_burns: kb },
    ],
  });
  const { path, compiled } = await render(t, root, join(root, 'out'), 'run');
  assert.equal(compiled.argv.filter((a) => a.includes('concat=n=2')).length, 1);
  const track = (await pixelTrack(path, 54, 96)).map(([r, , b]) => (r > 150 && b < 80 ? 'R' : b > 150 && r < 80 ? 'B' : r < 30 && b < 30 ? '.' : '?'));
  assert.equal(track.join(''), '.'.repeat(6) + 'R'.repeat(27) + 'B'.repeat(21) + '.'.repeat(6));
  // The tall picture (40x60 fitted to 90x135) leaves the top of the box transparent.
  const f = await frameAt(path, 1.5, 108, 192);
  close(f.at(54, 20), [5, 5, 5], 10, 'above the tall picture, inside its box');
  close(f.at(54, 40), [0, 0, 255], 30, 'the tall picture');
});

test('rendered: the procedural border around the content rect, in gold, leaves the content inside it', async () => {
  const t = timeline({
    output: { width: 108, height: 192, fps: 30, duration: 1 },
    video: [{ type: 'color', color: '#050505', duration: 1 }],
    layers: [
      { type: 'image', file: 'product.png', box: { width: 90, height: 160 }, position: 'center' },
      { type: 'border', color: '#D4AF37', width: 4, rect: { x: 5, y: 12, width: 98, height: 168 } },
    ],
  });
  const { path } = await render(t, root, join(root, 'out'), 'border');
  const f = await frameAt(path, 0.5, 108, 192);
  close(f.at(54, 13), [212, 175, 55], 16, 'top of the border');
  close(f.at(6, 96), [212, 175, 55], 16, 'left of the border');
  close(f.at(54, 96), [255, 0, 0], 24, 'the content inside');
  close(f.at(2, 96), [5, 5, 5], 10, 'the background outside the border');
});
