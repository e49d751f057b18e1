// A still as a segment: the exact chains (no motion for each fit, Ken Burns), then real
// renders of tiny generated pictures: frame count, timestamps and where colours land; a Ken
// Burns that starts at zoom 1 starts on the frame the fit makes; and the smoothness bound of
// still.ts's header, measured on a dot tracked frame by frame (with zoompan alone as the
// control that shows the measure sees jitter).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import type { StillSegment, View } from '../../../src/shared/timeline/schema.js';
import { canvasScale, stillChains } from '../../../src/shared/timeline/still.js';
import { BLUR } from '../../../src/shared/timeline/fit.js';
import { binaries, tempDir } from '../../helpers.js';

const seg = (fit: StillSegment['fit'], flip = false, ken_burns?: { from: View; to: View }): StillSegment => ({ type: 'still', file: 'a.png', duration: 1, fit, flip, ken_burns });
const view = (zoom: number, x: number, y: number): View => ({ zoom, x, y });

test('no motion: the fit once, then the frame repeated with timestamps n/fps in a 1/fps time base', () => {
  const timing = '[s3fit]loop=loop=44:size=1,settb=1/30,setpts=N,fps=30[v3]';
  assert.deepEqual(stillChains(seg('crop'), '[3:v]', '[v3]', 320, 180, 30, 45, 's3'), ['[3:v]crop=w=\'min(iw,2*round(ih*320/180/2))\':h=\'min(ih,2*round(iw*180/320/2))\',scale=320:180,setsar=1,format=yuv420p[s3fit]', timing]);
  assert.deepEqual(stillChains(seg('pad'), '[3:v]', '[v3]', 320, 180, 30, 45, 's3'), ['[3:v]scale=320:180:force_original_aspect_ratio=decrease,pad=320:180:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p[s3fit]', timing]);
  assert.deepEqual(stillChains(seg('blur-fill', true), '[3:v]', '[v3]', 320, 180, 30, 45, 's3'), [
    '[3:v]split=2[s3bg][s3fg]',
    `[s3bg]scale=40:22:force_original_aspect_ratio=increase,crop=40:22,${BLUR},scale=320:180,setsar=1[s3bgb]`,
    '[s3fg]scale=320:180:force_original_aspect_ratio=decrease,setsar=1[s3fgs]',
    '[s3bgb][s3fgs]overlay=x=(W-w)/2:y=(H-h)/2,setsar=1,hflip,format=yuv420p[s3fit]',
    timing,
  ]);
  assert.deepEqual(stillChains(seg('crop', true), '[0:v]', '[out]', 1080, 1920, 29.97, 1, 'a'), ['[0:v]crop=w=\'min(iw,2*round(ih*1080/1920/2))\':h=\'min(ih,2*round(iw*1920/1080/2))\',scale=1080:1920,setsar=1,hflip,format=yuv420p[afit]', '[afit]loop=loop=0:size=1,settb=1/29.97,setpts=N,fps=29.97[out]']);
});

test('the canvas scale: twice the largest zoom, from 2 to 3', () => {
  assert.deepEqual([1, 1.1, 1.25, 1.5, 2, 10].map(canvasScale), [2, 2.2, 2.5, 3, 3, 3]);
});

test('Ken Burns, crop: a 2.5x canvas with margins, then per frame crop (the window) and zoompan (the view)', () => {
  // zoom 1 -> 1.25: S = 2.5, the window 800x450; margins (800 - 800/1.25)/2 + 2 = 82 and
  // (450 - 360)/2 + 2 = 47 -> 48 (even). The centre x at the start is 0.5 of the picture (iw -
  // 164 wide, from 82), kept 82 + 800/2 = 482 from the canvas' edges; at the end 0.6 of it,
  // 82 + 800/2.5 = 402 from them.
  const z = (t: string) => `1250/(1250/(pow(1.25,${t}))+1)`;
  const win = (side: number, pos: string) => `st(0,clip(${z('n/30')},1,10));st(1,trunc(${side}*(1/ld(0))));round(${pos}-2*floor((${side}-ld(1))/4)-ld(1)/2)`;
  const cx0 = 'clip(82+0.5*(iw-164),482,iw-482)';
  const cx1 = 'clip(82+0.6*(iw-164),402,iw-402)';
  const cy0 = 'clip(48+0.5*(ih-96),273,ih-273)';
  const cy1 = 'clip(48+0.4*(ih-96),228,ih-228)';
  assert.deepEqual(stillChains(seg('crop', false, { from: view(1, 0.5, 0.5), to: view(1.25, 0.6, 0.4) }), '[3:v]', '[v3]', 320, 180, 30, 31, 's3'), [
    '[3:v]scale=800:450:force_original_aspect_ratio=increase,setsar=1,format=yuv420p,pad=w=iw+164:h=ih+96:x=82:y=48:color=black[s3cv]',
    `[s3cv]loop=loop=30:size=1,settb=1/30,setpts=N,crop=w=800:h=450:x='${win(800, `${cx0}+(${cx1}-${cx0})*n/30`)}':y='${win(450, `${cy0}+(${cy1}-${cy0})*n/30`)}':exact=1,` +
      `zoompan=z='${z('on/30')}':x='2*floor((iw-trunc(iw*(1/zoom)))/4)':y='2*floor((ih-trunc(ih*(1/zoom)))/4)':d=1:s=320x180:fps=30,setsar=1,format=yuv420p,settb=1/30,setpts=N,fps=30[v3]`,
  ]);
});

test('Ken Burns, blur-fill, flipped, a view that does not move: a doubled-bars canvas, one frame rendered and repeated', () => {
  // S = 3 (zoom 1.5): F is 540x960; margins (540 - 360)/2 + 2 = 92 and (960 - 640)/2 + 2 = 162.
  // The canvas is 2*(540 + 92) - picture width wide; flipped, x 0.3 becomes 0.7.
  const chains = stillChains(seg('blur-fill', true, { from: view(1.5, 0.3, 0.5), to: view(1.5, 0.3, 0.5) }), '[1:v]', '[v1]', 180, 320, 25, 50, 's1');
  const win = (side: number, pos: string) => `st(0,clip(1500/(1500/1.5+1),1,10));st(1,trunc(${side}*(1/ld(0))));round(${pos}-2*floor((${side}-ld(1))/4)-ld(1)/2)`;
  assert.deepEqual(chains, [
    '[1:v]split=2[s1bs][s1ps]',
    `[s1bs]scale=22:40:force_original_aspect_ratio=increase,crop=22:40,${BLUR},hflip,scale=544:964,setsar=1[s1bg]`,
    '[s1ps]scale=540:960:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1,format=yuv420p,hflip,split=2[s1fg][s1cs]',
    '[s1cs]pad=w=1264-iw:h=2244-ih:x=(ow-iw)/2:y=(oh-ih)/2:color=black[s1c0]',
    '[s1c0][s1bg]overlay=x=(W-w)/2:y=(H-h)/2[s1c1]',
    '[s1c1][s1fg]overlay=x=(W-w)/2:y=(H-h)/2[s1cv]',
    `[s1cv]settb=1/25,setpts=N,crop=w=540:h=960:x='${win(540, 'clip((iw-632)+0.7*(1264-iw),(iw-540)/2+180,(iw+540)/2-180)')}':y='${win(960, 'clip((ih-1122)+0.5*(2244-ih),(ih-960)/2+320,(ih+960)/2-320)')}':exact=1,` +
      `zoompan=z='1500/(1500/1.5+1)':x='2*floor((iw-trunc(iw*(1/zoom)))/4)':y='2*floor((ih-trunc(ih*(1/zoom)))/4)':d=1:s=180x320:fps=25,setsar=1,format=yuv420p,loop=loop=49:size=1,settb=1/25,setpts=N,fps=25[v1]`,
  ]);
});

// --- Real renders ---

async function ffmpeg(args: string[]): Promise<Buffer> {
  const { ffmpeg: bin } = await binaries();
  return Buffer.from((await execa(bin.path, ['-hide_banner', '-nostdin', '-v', 'error', ...args], { encoding: 'buffer' })).stdout);
}

/** A one-frame PNG drawn by geq in RGB (r, g, b: expressions of X and Y). */
async function picture(path: string, w: number, h: number, r: string, g: string, b: string): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `color=black:s=${w}x${h},format=rgb24`, '-vf', `geq=r='${r}':g='${g}':b='${b}'`, '-frames:v', '1', '-y', path]);
  return path;
}

/** Renders the chains on the picture; raw frames in `pixFmt` (rgb24: 3 bytes a pixel, gray: 1). */
async function render(png: string, chains: string[], pixFmt: 'rgb24' | 'gray', extra: string[] = []): Promise<Buffer> {
  return ffmpeg(['-i', png, '-filter_complex', chains.join(';'), '-map', '[v]', ...extra, '-f', 'rawvideo', '-pix_fmt', pixFmt, '-']);
}

test('renders: exactly `frames` frames at n/fps; colours land where crop and pad put them; flip mirrors', async (t) => {
  const dir = await tempDir(t);
  // 160x90: red, green and blue thirds (the borders at x = 53 and 107).
  const png = await picture(join(dir, 'thirds.png'), 160, 90, 'if(lt(X,53),255,0)', 'if(between(X,53,106),255,0)', 'if(gt(X,106),255,0)');
  for (const [fps, frames] of [[30, 7], [60, 9], [29.97, 5]] as const) {
    for (const s of [seg('crop'), seg('crop', false, { from: view(1, 0.4, 0.5), to: view(1.2, 0.6, 0.5) })]) {
      const crc = (await ffmpeg(['-i', png, '-filter_complex', stillChains(s, '[0:v]', '[v]', 64, 64, fps, frames, 'a').join(';'), '-map', '[v]', '-f', 'framecrc', '-'])).toString();
      const tb = /#tb 0: (\d+)\/(\d+)/.exec(crc)!;
      assert.equal(Number(tb[2]) / Number(tb[1]), fps, 'the time base is 1/fps');
      const pts = crc.split('\n').filter((l) => /^0,/.test(l)).map((l) => Number(l.split(',')[2]));
      assert.deepEqual(pts, [...Array(frames).keys()], `${frames} frames at ${fps} fps${s.ken_burns ? ', Ken Burns' : ''}`);
    }
  }
  const rgbAt = (raw: Buffer, w: number, x: number, y: number) => [...raw.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
  const near = (actual: number[], expected: number[], what: string) => assert.ok(actual.every((v, i) => Math.abs(v - expected[i]!) <= 40), `${what}: ${actual}, expected about ${expected}`);
  const [RED, GREEN, BLUE, BLACK] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [0, 0, 0]];
  // crop to 64x64: the middle 90x90 of the picture (x 35..125) -> red on the left 12 columns.
  const crop = await render(png, stillChains(seg('crop'), '[0:v]', '[v]', 64, 64, 30, 3, 'a'), 'rgb24');
  assert.equal(crop.length, 64 * 64 * 3 * 3, '3 frames of 64x64');
  near(rgbAt(crop, 64, 4, 32), RED, 'crop, left');
  near(rgbAt(crop, 64, 32, 32), GREEN, 'crop, middle');
  near(rgbAt(crop, 64, 59, 32), BLUE, 'crop, right');
  // pad: 64x36 in the middle, black bars of 14 rows above and below.
  const pad = await render(png, stillChains(seg('pad'), '[0:v]', '[v]', 64, 64, 30, 1, 'a'), 'rgb24');
  near(rgbAt(pad, 64, 10, 32), RED, 'pad, left');
  near(rgbAt(pad, 64, 53, 32), BLUE, 'pad, right');
  near(rgbAt(pad, 64, 32, 5), BLACK, 'pad, top bar');
  near(rgbAt(pad, 64, 32, 58), BLACK, 'pad, bottom bar');
  const flipped = await render(png, stillChains(seg('crop', true), '[0:v]', '[v]', 64, 64, 30, 1, 'a'), 'rgb24');
  near(rgbAt(flipped, 64, 4, 32), BLUE, 'flipped, left');
  near(rgbAt(flipped, 64, 59, 32), RED, 'flipped, right');
  // Ken Burns: the same count and size.
  const kb = await render(png, stillChains(seg('pad', false, { from: view(1, 0.5, 0.5), to: view(1.4, 0.2, 0.5) }), '[0:v]', '[v]', 64, 64, 30, 6, 'a'), 'rgb24');
  assert.equal(kb.length, 64 * 64 * 3 * 6, '6 frames of 64x64');
  near(rgbAt(kb, 64, 32, 5), BLACK, 'Ken Burns, pad at zoom 1: the top bar');
});

test('renders: a Ken Burns from zoom 1 in the middle starts on the frame the fit makes (crop, pad, blur-fill; flipped)', async (t) => {
  const dir = await tempDir(t);
  const png = join(dir, 'src.png');
  // Softened, so that where the two resample differently (the static blur-fill puts its
  // picture at an even row, the Ken Burns one half a pixel nearer the middle) counts little
  // next to a view in the wrong place.
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x180', '-vf', 'gblur=sigma=2', '-frames:v', '1', '-y', png]);
  for (const fit of ['crop', 'pad', 'blur-fill'] as const) {
    for (const [w, h] of [[180, 320], [160, 90]] as const) {
      const still = await render(png, stillChains(seg(fit, true), '[0:v]', '[v]', w, h, 30, 1, 'a'), 'gray');
      const first = await render(png, stillChains(seg(fit, true, { from: view(1, 0.5, 0.5), to: view(1.3, 0.3, 0.6) }), '[0:v]', '[v]', w, h, 30, 2, 'a'), 'gray', ['-frames:v', '1']);
      let sum = 0;
      for (let i = 0; i < w * h; i++) sum += Math.abs(still[i]! - first[i]!);
      // Both are the picture fitted once; the Ken Burns one through a canvas and zoompan's
      // scaler, so they differ by resampling only (a view off by one pixel differs by ~10).
      assert.ok(sum / (w * h) < 3, `${fit} ${w}x${h}: mean difference ${(sum / (w * h)).toFixed(2)} grey levels`);
    }
  }
});

/** Least-squares polynomial of `degree` through (i, ys[i]); returns its values at each i. */
function polyFit(ys: number[], degree: number): number[] {
  const n = ys.length;
  const u = (i: number) => (2 * i) / (n - 1) - 1; // -1..1 keeps the normal equations well conditioned
  const m = degree + 1;
  const a = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < m; c++) a[r]![c]! += u(i) ** (r + c);
      a[r]![m]! += u(i) ** r * ys[i]!;
    }
  }
  for (let c = 0; c < m; c++) {
    for (let r = c + 1; r < m; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= m; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const coef = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let s = a[r]![m]!;
    for (let k = r + 1; k < m; k++) s -= a[r]![k]! * coef[k]!;
    coef[r] = s / a[r]![r]!;
  }
  return ys.map((_, i) => coef.reduce((s, c, k) => s + c * u(i) ** k, 0));
}

/** The brightness-weighted centre of the one bright dot of each frame, within 20 px of its peak. */
function centroids(raw: Buffer, w: number, h: number): [number, number][] {
  const out: [number, number][] = [];
  for (let f = 0; f < raw.length / (w * h); f++) {
    const px = raw.subarray(f * w * h, (f + 1) * w * h);
    let peak = 0;
    for (let i = 1; i < px.length; i++) if (px[i]! > px[peak]!) peak = i;
    const [cx, cy] = [peak % w, Math.floor(peak / w)];
    let [s, sx, sy] = [0, 0, 0];
    for (let y = Math.max(0, cy - 20); y <= Math.min(h - 1, cy + 20); y++) {
      for (let x = Math.max(0, cx - 20); x <= Math.min(w - 1, cx + 20); x++) {
        const v = px[y * w + x]!;
        [s, sx, sy] = [s + v, sx + v * x, sy + v * y];
      }
    }
    out.push([sx / s, sy / s]);
  }
  return out;
}

/** The largest distance of the path from its least-squares cubic, over both axes. */
function wobble(path: [number, number][]): number {
  let worst = 0;
  for (const axis of [0, 1]) {
    const ys = path.map((p) => p[axis]!);
    polyFit(ys, 3).forEach((fit, i) => (worst = Math.max(worst, Math.abs(ys[i]! - fit))));
  }
  return worst;
}

/**
 * Where a point of a picture (pixel `p` of a `pic`-sized picture) should be on a w x h output
 * (pixel coordinates) under the view `v`: the geometry of still.ts's header, computed
 * independently in output pixels at zoom 1. Pixel i covers i..i+1, its centre is i + 0.5.
 */
function onScreen(fit: StillSegment['fit'], flip: boolean, pic: [number, number], p: [number, number], [w, h]: [number, number], v: View): [number, number] {
  const s = fit === 'crop' ? Math.max(w / pic[0], h / pic[1]) : Math.min(w / pic[0], h / pic[1]);
  const size = [pic[0] * s, pic[1] * s];
  // crop: the view may go over the whole picture; pad, blur-fill: over the frame at zoom 1,
  // the picture in its middle.
  const start = fit === 'crop' ? [0, 0] : [(w - size[0]!) / 2, (h - size[1]!) / 2];
  const area = fit === 'crop' ? size : [w, h];
  const px = flip ? pic[0] - (p[0] + 0.5) : p[0] + 0.5;
  const at = [start[0]! + px * s, start[1]! + (p[1] + 0.5) * s];
  const f = [flip ? 1 - v.x : v.x, v.y];
  return [0, 1].map((a) => {
    const half = [w, h][a]! / (2 * v.zoom);
    const centre = Math.min(Math.max(start[a]! + f[a]! * size[a]!, half), area[a]! - half);
    return (at[a]! - centre) * v.zoom + [w, h][a]! / 2 - 0.5;
  }) as [number, number];
}

test('renders: a dot tracked through a Ken Burns (zoom 1 -> 1.5 and a pan) stays within 0.5 px of a smooth curve, where the views put it; zoompan alone does not', async (t) => {
  const dir = await tempDir(t);
  const frames = 90;
  const dot = (x: number, y: number, sigma: number) => `exp(-((X-${x})*(X-${x})+(Y-${y})*(Y-${y}))/${2 * sigma * sigma})*255`;
  const cases = [
    // crop into a vertical frame: the picture is panned across (the dot at 337, 150).
    { fit: 'crop', flip: false, out: [360, 640], p: [337, 150], sigma: 2, kb: { from: view(1, 0.45, 0.5), to: view(1.5, 0.55, 0.45) } },
    // pad into a square, mirrored: the picture's place is read back from the canvas.
    { fit: 'pad', flip: true, out: [320, 320], p: [300, 200], sigma: 4, kb: { from: view(1, 0.5, 0.5), to: view(1.5, 0.3, 0.4) } },
  ] as const;
  for (const c of cases) {
    const spot = dot(c.p[0], c.p[1], c.sigma);
    const png = await picture(join(dir, `${c.fit}.png`), 640, 360, spot, spot, spot);
    const [w, h] = c.out;
    const path = centroids(await render(png, stillChains(seg(c.fit, c.flip, c.kb), '[0:v]', '[v]', w, h, 30, frames, 'a'), 'gray'), w, h);
    assert.equal(path.length, frames);
    const dev = wobble(path);
    assert.ok(dev <= 0.5, `${c.fit}: the dot's path is within ${dev.toFixed(3)} px of a smooth curve, expected <= 0.5`);
    for (const [i, v] of [[0, c.kb.from], [frames - 1, c.kb.to]] as const) {
      const want = onScreen(c.fit, c.flip, [640, 360], [...c.p], [w, h], v);
      assert.ok(Math.hypot(path[i]![0] - want[0], path[i]![1] - want[1]) <= 1, `${c.fit}, frame ${i}: the dot at ${path[i]!.map((n) => n.toFixed(2))}, expected ${want.map((n) => n.toFixed(2))}`);
    }
  }
  // The control: zoompan straight on the picture fitted at 1x (x, y smooth expressions of the
  // frame number) moves the dot in whole-pixel steps, and the measure sees it.
  const [w, h] = [360, 640];
  const plain = [`[0:v]crop=w='min(iw,2*round(ih*${w}/${h}/2))':h='min(ih,2*round(iw*${h}/${w}/2))',scale=${w}:${h},setsar=1,format=yuv420p,zoompan=z='pow(1.5,on/89)':x='(0.5+0.05*on/89)*iw-iw/zoom/2':y='(0.5-0.05*on/89)*ih-ih/zoom/2':d=${frames}:s=${w}x${h}:fps=30[v]`];
  const control = centroids(await render(join(dir, 'crop.png'), plain, 'gray'), w, h);
  assert.equal(control.length, frames);
  assert.ok(wobble(control) > 1, `zoompan alone: ${wobble(control).toFixed(3)} px from a smooth curve, expected > 1`);
});
