// A still image as a video segment (DESIGN §3): fitted to the output and held, or, with
// ken_burns, a view that moves smoothly from one place and zoom to another. Pure: filter chains.
//
// Without motion the picture is fitted once and the frame repeated (loop), so the segment
// costs one scale plus the encoder.
//
// Ken Burns. FFmpeg 5.1 has no cheap sub-pixel warp. zoompan cuts its view at whole pixels
// (even ones in yuv420p) and at a whole-pixel size: alone, a dot that should glide wobbles by
// about 2 px around its path. perspective is exact but costs 1.7 times as much as what
// follows even on a frame-sized input (bench/kenburns.ts), and it warps all of its input: to
// pan across a picture, the whole picture every frame. So the picture is scaled ONCE to a
// canvas S times the size the output shows at zoom 1, where a canvas pixel is 1/S of an
// output pixel (S = 2 * the largest zoom, from 2 to 3), and then, for each frame:
//   1. crop (zero-copy) takes an S*w x S*h window at the whole pixel (odd ones too: exact=1)
//      that puts the view's centre within half a canvas pixel of where it should be;
//   2. zoompan cuts the view from the middle of that window and scales it to w x h. Its zoom
//      is lowered a little so that its whole-pixel view size errs by at most 0.64 canvas
//      pixels, and crop, which computes the same view size with the same double arithmetic,
//      has placed the window for it.
// A point of the picture then lands within (0.5 + 0.32) * zoom / S output pixels of its exact
// place: 0.41 px at most up to zoom 1.5 (0.27 * zoom px above that, where S stays 3: the
// canvas holds S² times the output's pixels). test/shared/timeline/still.test.ts tracks a dot
// frame by frame (0.25 px from a smooth curve at zoom 1 -> 1.5).
//
// Cost (bench/kenburns.ts, 1080x1920, libx264 medium): the canvas is made once (~0.2 s); each
// frame then costs one zoompan scale from about S/zoom times the output's size (~13 ms at
// S = 2.4). x264 itself spends 60% more on a moving testsrc2 picture than on a repeated one
// (a repeated frame is nearly free to encode; detailed pictures cost more), so a Ken Burns
// segment costs about twice a motionless one there, not 1.3 times.
//
// Geometry, in canvas pixels (the canvas is the picture plus black margins M that keep the
// window inside it wherever the view goes):
//   crop fit: the picture covers the output at zoom 1; the view may go anywhere on it.
//   pad and blur-fill: the frame at zoom 1 (F, S*w x S*h, the picture centred in it on black
//   or on its blurred copy) is what the view may show. The canvas is F's bars doubled
//   (2*S*w - picture width, plus the margins), so that the picture's size, which the chains
//   do not know in advance, can be read back from the canvas size in crop's expressions.
// The view's centre is x, y of the picture (mirrored when flip), moved in a straight line
// between the two ends, each first kept inside the allowed area; the zoom changes
// geometrically (the same ratio each frame). Views in between then stay inside too: a
// view's left edge is a linear function minus a convex one.
import type { StillSegment, View } from './schema.js';
import { BLUR, even, fitChains } from './fit.js';

/**
 * Chains from `input` (the label of a one-frame image input, `[3:v]`) to `output`: exactly
 * `frames` frames at w x h, yuv420p, square pixels, timestamps n/fps in a 1/fps time base.
 * `id` prefixes the labels of intermediate streams.
 */
export function stillChains(seg: StillSegment, input: string, output: string, w: number, h: number, fps: number, frames: number, id: string, alpha = false): string[] {
  const kb = seg.ken_burns;
  if (!kb) {
    if (alpha) throw new Error('stillChains: alpha is for a Ken Burns view (an image layer in a box)');
    const fitted = `[${id}fit]`;
    return [...fitChains(seg.fit, input, fitted, w, h, id, seg.flip), `${fitted}loop=loop=${frames - 1}:size=1,${timing(fps)}${output}`];
  }
  const fixed = kb.from.zoom === kb.to.zoom && kb.from.x === kb.to.x && kb.from.y === kb.to.y;
  const g = geometry(w, h, Math.max(kb.from.zoom, kb.to.zoom));
  const canvas = `[${id}cv]`;
  // A view that does not move is rendered once and repeated.
  const n = fixed ? 1 : frames;
  const flipX = (v: View): View => (seg.flip ? { ...v, x: 1 - v.x } : v);
  const from = flipX(kb.from);
  const to = flipX(kb.to);
  const t = n > 1 ? `n/${n - 1}` : '0';
  const move =
    `${canvas}${n > 1 ? `loop=loop=${n - 1}:size=1,` : ''}${timing(fps, false)},` +
    `crop=w=${g.sw}:h=${g.sh}:x='${windowExpr(g, 'x', seg.fit, from, to, t)}':y='${windowExpr(g, 'y', seg.fit, from, to, t)}':exact=1,` +
    `zoompan=z='${zoomExpr(g, from.zoom, to.zoom, n > 1 ? `on/${n - 1}` : '0')}':x='${ZP_OFFSET('iw')}':y='${ZP_OFFSET('ih')}':d=1:s=${w}x${h}:fps=${fps},` +
    `setsar=1,format=${alpha ? 'yuva420p' : 'yuv420p'},${fixed ? `loop=loop=${frames - 1}:size=1,` : ''}${timing(fps)}${output}`;
  return [...canvasChains(seg, input, canvas, w, h, g, id, alpha), move];
}

/** Timestamps 0, 1, 2 ... in a 1/fps time base (an image's own is 1/25), then fps= to fix the rate. */
function timing(fps: number, withFps = true): string {
  return `settb=1/${fps},setpts=N${withFps ? `,fps=${fps}` : ''}`;
}

interface Geometry {
  /** The window (and the frame at zoom 1) in canvas pixels: S*w x S*h, both even. */
  sw: number;
  sh: number;
  /** Black margins around the area the view may show, wide enough for the window. */
  mx: number;
  my: number;
}

/** The canvas scale S wanted: twice the largest zoom (the 0.5 px bound with room to spare), at least 2, at most 3 (the canvas holds S² times the output's pixels). */
export function canvasScale(maxZoom: number): number {
  return Math.min(3, Math.max(2, 2 * maxZoom));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function geometry(w: number, h: number, maxZoom: number): Geometry {
  // S*w and S*h even integers in exactly the output's proportions (a window of another shape
  // would show a sliver of the margin at zoom 1): S is taken on a grid of 2/gcd(w, h).
  const g = gcd(w, h);
  const k = Math.ceil((canvasScale(maxZoom) * g) / 2 - 1e-9);
  const sw = (2 * k * w) / g;
  const sh = (2 * k * h) / g;
  // The window is centred on the view: it reaches (window - view) / 2 past it, plus rounding.
  const margin = (side: number) => 2 * Math.ceil(((side - side / maxZoom) / 2 + 2) / 2);
  return { sw, sh, mx: margin(sw), my: margin(sh) };
}

/**
 * The canvas: the picture scaled by S (flipped if asked) inside black margins; see the header.
 * alpha: the margins and bars are transparent (yuva420p), for an image layer whose box shows
 * what lies under it around the picture.
 */
function canvasChains(seg: StillSegment, input: string, canvas: string, w: number, h: number, g: Geometry, id: string, alpha = false): string[] {
  const flip = seg.flip ? ',hflip' : '';
  const [fmt, black] = alpha ? ['yuva420p', 'black@0'] : ['yuv420p', 'black'];
  if (seg.fit === 'crop') {
    return [`${input}scale=${g.sw}:${g.sh}:force_original_aspect_ratio=increase,setsar=1,format=${fmt}${flip},pad=w=iw+${2 * g.mx}:h=ih+${2 * g.my}:x=${g.mx}:y=${g.my}:color=${black}${canvas}`];
  }
  // An even picture size keeps pad's offset even (yuv420p places at even pixels, rounding down).
  const picture = (from: string) => `${from}scale=${g.sw}:${g.sh}:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1,format=${fmt}${flip}`;
  const bars = `pad=w=${2 * (g.sw + g.mx)}-iw:h=${2 * (g.sh + g.my)}-ih:x=(ow-iw)/2:y=(oh-ih)/2:color=${black}`;
  if (seg.fit === 'pad') return [`${picture(input)},${bars}${canvas}`];
  // blur-fill: the picture over its blurred copy, made as fitChains makes it at zoom 1 (from
  // the input, blurred at an eighth of the output's size, before yuv420p halves the colour),
  // in the middle of the doubled-bars canvas. The copy is 2 px wider on each side than F:
  // overlay may round its place down to an even pixel.
  const bw = even(w / 8);
  const bh = even(h / 8);
  return [
    `${input}split=2[${id}bs][${id}ps]`,
    `[${id}bs]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},${BLUR}${flip},scale=${g.sw + 4}:${g.sh + 4},setsar=1[${id}bg]`,
    `${picture(`[${id}ps]`)},split=2[${id}fg][${id}cs]`,
    `[${id}cs]${bars}[${id}c0]`,
    `[${id}c0][${id}bg]overlay=x=(W-w)/2:y=(H-h)/2[${id}c1]`,
    `[${id}c1][${id}fg]overlay=x=(W-w)/2:y=(H-h)/2${canvas}`,
  ];
}

/** A number for an expression: no float noise (0.30000000000000004 -> 0.3). */
function num(v: number): string {
  return String(Number(v.toPrecision(12)));
}

/**
 * The zoom zoompan is given at time `t` (0..1): the geometric path, lowered a little so that
 * the view's whole-pixel width and height (zoompan truncates window/zoom) are on average
 * half a pixel above the exact ones, which bounds their error by 0.64 canvas pixels.
 */
function zoomExpr(g: Geometry, z0: number, z1: number, t: string): string {
  const exact = z0 === z1 ? num(z0) : `(${z0 === 1 ? '' : `${num(z0)}*`}pow(${num(z1 / z0)},${t}))`;
  return `${g.sw + g.sh}/(${g.sw + g.sh}/${exact}+1)`;
}

/** zoompan's view offset inside the window: the middle, at an even pixel (zoompan rounds down to one). */
const ZP_OFFSET = (side: 'iw' | 'ih') => `2*floor((${side}-trunc(${side}*(1/zoom)))/4)`;

/**
 * crop's window position on one axis at frame n: the view's centre on the canvas, minus where
 * zoompan will put the view inside the window. ld(0) is zoompan's zoom (clipped to 1..10 as
 * zoompan does), ld(1) its view size in pixels (truncated as zoompan truncates).
 */
function windowExpr(g: Geometry, axis: 'x' | 'y', fit: StillSegment['fit'], from: View, to: View, t: string): string {
  const side = axis === 'x' ? g.sw : g.sh;
  const margin = axis === 'x' ? g.mx : g.my;
  const c = axis === 'x' ? 'iw' : 'ih';
  // The picture on the canvas (where it starts, its size). crop fit: the picture itself, in
  // the margins. pad, blur-fill: the canvas is 2*(side + margin) - picture, so the picture's
  // size is read back from it.
  const [start, size] = fit === 'crop' ? [`${margin}`, `(${c}-${2 * margin})`] : [`(${c}-${side + margin})`, `(${2 * (side + margin)}-${c})`];
  // The view's centre, kept half a view from the edges of the area the view may show: the
  // picture (crop fit) or F, in the middle of the canvas.
  const centre = (v: View) => {
    const half = side / (2 * v.zoom);
    const [lo, hi] = fit === 'crop' ? [num(margin + half), `${c}-${num(margin + half)}`] : [`(${c}-${side})/2+${num(half)}`, `(${c}+${side})/2-${num(half)}`];
    return `clip(${start}+${num(v[axis])}*${size},${lo},${hi})`;
  };
  const c0 = centre(from);
  const c1 = centre(to);
  const path = c0 === c1 ? c0 : `${c0}+(${c1}-${c0})*${t}`;
  return `st(0,clip(${zoomExpr(g, from.zoom, to.zoom, t)},1,10));st(1,trunc(${side}*(1/ld(0))));round(${path}-2*floor((${side}-ld(1))/4)-ld(1)/2)`;
}
