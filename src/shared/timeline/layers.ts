// The layers above the video (DESIGN §3), in the order written: images (logo, frame PNG),
// looped videos (light leaks, glitter), texts (through libass: one ASS document per run of
// consecutive text layers) and borders. Each is on screen from its start to its end.
import { assFilter, buildAss, type Canvas } from './text/ass.js';
import type { TextFonts } from './text/fonts.js';
import { colorArg } from './color.js';
import { even } from './fit.js';
import { localPath, secs, type Graph } from './graph.js';
import type { BorderLayer, ImageLayer, Layer, StillSegment, TextLayer, Timeline, VideoLayer } from './schema.js';
import { stillChains } from './still.js';

export interface LayerContext {
  paths: ReadonlyMap<string, string>;
  fonts?: TextFonts | undefined;
  canvas: Canvas;
  fps: number;
  workDir: string;
  /** Seconds of video the layers lie over (before effects.speed). */
  duration: number;
}

/**
 * `:enable='gte(t,a)*lt(t,b)'` for a layer that does not span the whole video, else nothing.
 * The end is excluded: between(t,a,b) would also show the frame at b (one frame too many, and
 * two layers meeting at b on the same frame).
 */
export function enableOption(start: number, end: number | undefined, duration: number): string {
  const e = Math.min(end ?? duration, duration);
  if (start <= 0 && e >= duration) return '';
  return `:enable='gte(t,${secs(start)})*lt(t,${secs(e)})'`;
}

/** The top-left corner of a w x h box placed by position/margin/x/y on the canvas, as overlay expressions (W, H, w, h). */
export function placeExpr(l: { position: string; margin: number; x?: number | undefined; y?: number | undefined }, scale: number): { x: string; y: string } {
  const m = Math.round(l.margin * scale);
  const col = l.position.endsWith('left') ? 0 : l.position.endsWith('right') ? 2 : 1;
  const row = l.position.startsWith('top') ? 0 : l.position.startsWith('bottom') ? 2 : 1;
  const axis = (i: number, big: string, small: string) => (i === 0 ? String(m) : i === 2 ? `${big}-${small}-${m}` : `(${big}-${small})/2`);
  return {
    x: l.x !== undefined ? String(Math.round(l.x * scale)) : axis(col, 'W', 'w'),
    y: l.y !== undefined ? String(Math.round(l.y * scale)) : axis(row, 'H', 'h'),
  };
}

/** `scale...pad` fitting a picture into a bw x bh box, centred, the rest of the box transparent (yuva420p, as stillChains' alpha frames). */
function fitInBox(bw: number, bh: number): string {
  return `scale=${bw}:${bh}:force_original_aspect_ratio=decrease,setsar=1,format=yuva420p,pad=${bw}:${bh}:(ow-iw)/2:(oh-ih)/2:color=black@0`;
}

type BoxedImage = ImageLayer & { box: { width: number; height: number } };

/**
 * A boxed image layer without ken_burns: fitted into its box (transparent around it), one
 * frame that overlay repeats, bounded in time by the enable option.
 */
function boxedImageLayer(g: Graph, cur: string, l: BoxedImage, k: number, ctx: LayerContext): string {
  const bw = even(l.box.width * ctx.canvas.scale);
  const bh = even(l.box.height * ctx.canvas.scale);
  const { x, y } = placeExpr(l, ctx.canvas.scale);
  const img = g.label('i');
  const out = g.label('l');
  const alpha = l.opacity < 1 ? `,format=rgba,colorchannelmixer=aa=${l.opacity}` : '';
  g.chain(`[${k}:v]${fitInBox(bw, bh)}${alpha}${img}`);
  g.chain(`${cur}${img}overlay=x=${x}:y=${y}${enableOption(l.start, l.end, ctx.duration)}${out}`);
  return out;
}

/** Whether `b` continues a run of boxed image layers that `a` ends: the same box, place and opacity, no entry animation, starting where `a` ends. */
function continuesRun(a: BoxedImage, b: Layer, duration: number): b is BoxedImage {
  if (b.type !== 'image' || !b.box || b.animation !== 'none' || a.animation !== 'none') return false;
  const same = (k: 'position' | 'margin' | 'x' | 'y' | 'opacity') => a[k] === b[k];
  return b.box.width === a.box.width && b.box.height === a.box.height && same('position') && same('margin') && same('x') && same('y') && same('opacity') && Math.abs(b.start - Math.min(a.end ?? duration, duration)) < 1e-6;
}

/**
 * A run of boxed image layers back to back in time (a slideshow: the golden-frame shots; or a
 * single layer with ken_burns) as ONE stream, overlaid once: each layer's frames (its Ken
 * Burns view the way a still segment's moves, still.ts, with transparent margins; or its
 * fitted picture repeated) made for its own time, joined by concat. concat reads its inputs
 * one after the other, so one Ken Burns canvas is in memory at a time; separate overlays would
 * each read their first frame when the graph starts, building every canvas at once (S² times
 * the box, about 17 MB each at 900x1600), and run a frame sync per layer on every frame.
 * Each distinct file is one input, split to the layers that show it (a slideshow repeats its
 * photos: one input per shot would open and decode the same file again and again).
 */
function boxedRun(g: Graph, cur: string, run: BoxedImage[], ctx: LayerContext): string {
  const first = run[0]!;
  const bw = even(first.box.width * ctx.canvas.scale);
  const bh = even(first.box.height * ctx.canvas.scale);
  const { x, y } = placeExpr(first, ctx.canvas.scale);
  const img = g.label('i');
  const id = img.slice(1, -1);
  // The source label of each layer: its file's input, split when several layers show it.
  const uses = new Map<string, number[]>();
  run.forEach((l, n) => uses.set(l.file, [...(uses.get(l.file) ?? []), n]));
  const source: string[] = [];
  [...uses.entries()].forEach(([file, ns], f) => {
    const k = g.input(['-i', localPath(ctx.paths, file)]);
    if (ns.length === 1) source[ns[0]!] = `[${k}:v]`;
    else {
      ns.forEach((n) => (source[n] = `[${id}s${f}_${n}]`));
      g.chain(`[${k}:v]split=${ns.length}${ns.map((n) => source[n]).join('')}`);
    }
  });
  const parts: string[] = [];
  run.forEach((l, n) => {
    const end = Math.min(l.end ?? ctx.duration, ctx.duration);
    // Frames on the output grid from the run's start: the parts add up to the run's length.
    const frames = Math.max(1, Math.round(end * ctx.fps) - Math.round(l.start * ctx.fps));
    const part = `[${id}p${n}]`;
    if (l.ken_burns) {
      const seg: StillSegment = { type: 'still', file: l.file, duration: end - l.start, ken_burns: l.ken_burns, fit: 'pad', flip: false };
      for (const c of stillChains(seg, source[n]!, part, bw, bh, ctx.fps, frames, `${id}p${n}`, true)) g.chain(c);
    } else {
      g.chain(`${source[n]!}${fitInBox(bw, bh)},loop=loop=${frames - 1}:size=1,settb=1/${ctx.fps},setpts=N${part}`);
    }
    parts.push(part);
  });
  const alpha = first.opacity < 1 ? `,format=rgba,colorchannelmixer=aa=${first.opacity}` : '';
  g.chain(`${parts.join('')}concat=n=${parts.length}:v=1:a=0,setpts=PTS+${secs(first.start)}/TB${alpha}${img}`);
  const out = g.label('l');
  g.chain(`${cur}${img}overlay=x=${x}:y=${y}:eof_action=pass${out}`);
  return out;
}

function imageLayer(g: Graph, cur: string, l: ImageLayer, ctx: LayerContext): string {
  const k = g.input(['-i', localPath(ctx.paths, l.file)]);
  if (l.box) return boxedImageLayer(g, cur, { ...l, box: l.box }, k, ctx);
  const lw = even(l.scale * ctx.canvas.width);
  const img = g.label('i');
  // The image at its width, with its opacity in its alpha.
  const sized = `[${k}:v]scale=${lw}:-2,format=rgba${l.opacity < 1 ? `,colorchannelmixer=aa=${l.opacity}` : ''}`;
  const end = Math.min(l.end ?? ctx.duration, ctx.duration);
  const { x, y } = placeExpr(l, ctx.canvas.scale);
  const out = g.label('l');
  if (l.animation === 'none') {
    // A still image ends after one frame; overlay repeats its last frame. overlay's default
    // yuv420 mode converts only the image (keeping its alpha), not every full frame.
    g.chain(`${sized}${img}`);
    g.chain(`${cur}${img}overlay=x=${x}:y=${y}${enableOption(l.start, l.end, ctx.duration)}${out}`);
    return out;
  }
  // Animated: the frame repeated for the layer's length, starting at its start. An image's
  // time base is the image demuxer's 1/25: N/(fps*TB) truncated to it would repeat and shift
  // timestamps (a layer at 0.5 s would start at 0.48), so the frames are timed in microseconds.
  const frames = Math.max(1, Math.round((end - l.start) * ctx.fps));
  const d = secs(Math.min(l.animation_duration, end - l.start));
  const st = secs(l.start);
  const p = `min(1,max(0,(t-${st})/${d}))`;
  let anim = '';
  let ox = x;
  if (l.animation === 'fade') anim = `,fade=t=in:st=${st}:d=${d}:alpha=1`;
  if (l.animation === 'zoom') {
    // Grows from a tenth of its size to its size, from its anchor (the overlay's x and y
    // expressions read the current w and h: a centred image grows from its centre, a corner
    // one from its corner).
    anim = `,scale=w='max(2,${lw}*(0.1+0.9*${p}))':h=-2:eval=frame`;
  }
  if (l.animation === 'slide') {
    // Slides in from the nearer side edge, easing out.
    const fromLeft = l.x !== undefined ? l.x * ctx.canvas.scale < ctx.canvas.width / 2 : !l.position.endsWith('right');
    const off = fromLeft ? '-w' : 'W';
    ox = `(${x})+((${off})-(${x}))*pow(1-${p},2)`;
  }
  g.chain(`${sized},loop=loop=${frames - 1}:size=1,settb=AVTB,setpts=N/(${ctx.fps}*TB)+${st}/TB${anim}${img}`);
  g.chain(`${cur}${img}overlay=x='${ox}':y='${y}':eof_action=pass${out}`);
  return out;
}

function videoLayer(g: Graph, cur: string, l: VideoLayer, ctx: LayerContext): string {
  const k = g.input(['-stream_loop', '-1', '-i', localPath(ctx.paths, l.file)]);
  const { width: w, height: h } = ctx.canvas;
  const v = g.label('v');
  // Screen is a blend of RGB values: in YUV it would screen the chroma planes too, whose
  // neutral is 128, not 0, and a black layer would tint the picture magenta. Both inputs are
  // blended as planar RGB (black, Y=16, is exactly 0 there); normal mode is a linear mix,
  // which YUV gives as well, without converting every frame. accurate_rnd: swscale's fast
  // YUV-to-RGB path has no planar RGB output and warns on every run without it.
  const screen = l.blend === 'screen';
  g.chain(`[${k}:v]setpts=PTS-STARTPTS,scale=${w}:${h}${screen ? ':flags=bicubic+accurate_rnd' : ''},setsar=1,fps=${ctx.fps},format=${screen ? 'gbrp' : 'yuv420p'}${v}`);
  let under = cur;
  if (screen) {
    under = g.label('b');
    g.chain(`${cur}scale=flags=accurate_rnd,format=gbrp${under}`);
  }
  const out = g.label('l');
  // blend's result is first*opacity + second*(1-opacity) in normal mode, and for screen
  // first + (screen(first, second) - first)*opacity: the video being first, normal takes
  // 1 - opacity. shortest=1: the looped layer ends with the video.
  const opacity = l.blend === 'normal' ? 1 - l.opacity : l.opacity;
  const back = screen ? ',format=yuv420p' : '';
  g.chain(`${under}${v}blend=all_mode=${l.blend}:all_opacity=${secs(opacity)}:shortest=1${enableOption(l.start, l.end, ctx.duration)}${back}${out}`);
  return out;
}

function borderLayer(g: Graph, cur: string, l: BorderLayer, ctx: LayerContext): string {
  const out = g.label('l');
  const t = Math.max(1, Math.round(l.width * ctx.canvas.scale));
  const r = l.rect;
  const px = (v: number) => String(Math.round(v * ctx.canvas.scale));
  const box = r ? `x=${px(r.x)}:y=${px(r.y)}:w=${px(r.width)}:h=${px(r.height)}` : 'x=0:y=0:w=iw:h=ih';
  g.chain(`${cur}drawbox=${box}:color=${colorArg(l.color)}:t=${t}${enableOption(l.start, l.end, ctx.duration)}${out}`);
  return out;
}

function textLayers(g: Graph, cur: string, entries: Array<{ layer: TextLayer; index: number }>, ctx: LayerContext): string {
  if (!ctx.fonts) throw new Error('text layers need planned fonts (planFonts) before compiling');
  const path = g.file(`${ctx.workDir}/text-${entries[0]!.index + 1}.ass`, buildAss(entries, ctx.canvas, ctx.fonts, ctx.duration));
  const out = g.label('l');
  g.chain(`${cur}${assFilter(path, ctx.canvas, ctx.fonts.fontsDirs)}${out}`);
  return out;
}

/** Adds the timeline's layers over `base`; returns the label of the result. */
export function buildLayers(g: Graph, tl: Timeline, base: string, ctx: LayerContext): string {
  let cur = base;
  const layers: readonly Layer[] = tl.layers;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    if (l.type === 'image' && l.box) {
      const run: BoxedImage[] = [{ ...l, box: l.box }];
      while (i + 1 < layers.length && continuesRun(run[run.length - 1]!, layers[i + 1]!, ctx.duration)) run.push(layers[++i] as BoxedImage);
      cur = run.length > 1 || l.ken_burns ? boxedRun(g, cur, run, ctx) : imageLayer(g, cur, l, ctx);
    } else if (l.type === 'image') cur = imageLayer(g, cur, l, ctx);
    else if (l.type === 'video') cur = videoLayer(g, cur, l, ctx);
    else if (l.type === 'border') cur = borderLayer(g, cur, l, ctx);
    else if (l.type === 'captions') throw new Error('buildLayers: captions layers are expanded into text layers first (expandCaptions)');
    else {
      const entries: Array<{ layer: TextLayer; index: number }> = [];
      while (i < layers.length && layers[i]!.type === 'text') {
        entries.push({ layer: layers[i] as TextLayer, index: i });
        i++;
      }
      i--;
      cur = textLayers(g, cur, entries, ctx);
    }
  }
  return cur;
}
