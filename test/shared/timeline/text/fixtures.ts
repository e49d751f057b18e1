// Fixtures for the text tests: fake font metrics (exact layouts), fonts made from an installed
// one (a family fontconfig does not know, or a face without outlines), and a real render of
// text layers through ffmpeg's ass filter, read back as RGB pixels.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Logger } from '../../../../src/shared/log.js';
import { createLogger } from '../../../../src/shared/log.js';
import { TimelineSchema, type TextLayer, type Timeline } from '../../../../src/shared/timeline/schema.js';
import { assFilter, buildAss } from '../../../../src/shared/timeline/text/ass.js';
import { fcMatch } from '../../../../src/shared/timeline/text/fontconfig.js';
import type { FontMetrics } from '../../../../src/shared/timeline/text/font-files.js';
import { faceKey, planFonts, type TextFonts } from '../../../../src/shared/timeline/text/fonts.js';
import { layoutText, type Rect, type TextLayout } from '../../../../src/shared/timeline/text/layout.js';
import { binaries } from '../../../helpers.js';

/** Metrics where every character advances `advance` em (except zero-width ones). */
export function fakeMetrics(m: Partial<Omit<FontMetrics, 'has' | 'advance'>> & { advance?: number; lacks?: number[] } = {}): FontMetrics {
  const per = m.advance ?? 0.5;
  return {
    ascent: m.ascent ?? 0.8,
    descent: m.descent ?? 0.2,
    lineGap: m.lineGap ?? 0,
    assSize: m.assSize ?? 1.25,
    assAscent: m.assAscent ?? 0.9,
    has: (cp) => !(m.lacks ?? []).includes(cp),
    advance: (text) => [...text].filter((c) => !/[\u200b\u2060\ufeff]/.test(c)).length * per,
  };
}

/** TextFonts for hand-written runs (index -> runs), every family with `metrics[family]`. */
export function fakeFonts(runs: Record<number, Array<{ text: string; family: string }>>, metrics: Record<string, FontMetrics>, primary: Record<number, string> = {}): TextFonts {
  const faces = new Map<string, FontMetrics>();
  for (const [family, m] of Object.entries(metrics)) for (const bold of [false, true]) faces.set(faceKey(family, bold), m);
  const entries = Object.entries(runs).map(([i, r]) => [Number(i), r] as const);
  return { runs: new Map(entries), fontsDirs: [], primary: new Map(entries.map(([i, r]) => [i, primary[i] ?? r[0]!.family])), faces };
}

/** A text layer with the schema's defaults filled in. */
export function textLayer(l: Partial<TextLayer> & { text: string }): TextLayer {
  return TimelineSchema.parse({ output: { width: 320, height: 180, fps: 30, duration: 1 }, video: [{ type: 'color', color: 'black', duration: 1 }], layers: [{ type: 'text', ...l }] }).layers[0] as TextLayer;
}

export function timeline(layers: Array<Partial<TextLayer> & { text: string }>, width = 320, height = 180): Timeline {
  return TimelineSchema.parse({ output: { width, height, fps: 30, duration: 1 }, video: [{ type: 'color', color: 'black', duration: 1 }], layers: layers.map((l) => ({ type: 'text', ...l })) });
}

/**
 * A copy of DejaVu Sans under another family name (same length: 11 characters) in `dir`,
 * which only a fonts folder provides. Without outlines, its glyf table is renamed, as in a
 * bitmap-only font.
 */
export async function patchedFont(dir: string, name: string, family: string, opts: { outlines?: boolean } = {}): Promise<string> {
  assert.equal(family.length, 11);
  const src = await fcMatch('DejaVu Sans', false);
  assert.ok(src && src.families.includes('DejaVu Sans'), 'DejaVu Sans is installed (fonts-dejavu-core)');
  let buf = Buffer.from(await readFile(src.file));
  for (const [from, to] of [[Buffer.from('DejaVu Sans', 'latin1'), Buffer.from(family, 'latin1')], [Buffer.from('DejaVu Sans', 'utf16le').swap16(), Buffer.from(family, 'utf16le').swap16()]] as const) {
    for (let at = buf.indexOf(from); at >= 0; at = buf.indexOf(from, at + 1)) to.copy(buf, at);
  }
  if (opts.outlines === false) {
    const tables = buf.readUInt16BE(4);
    for (let i = 0; i < tables; i++) if (buf.toString('latin1', 12 + 16 * i, 16 + 16 * i) === 'glyf') buf.write('bitm', 12 + 16 * i, 'latin1');
  }
  const path = join(dir, name);
  await writeFile(path, buf);
  buf = Buffer.alloc(0);
  return path;
}

/** A logger whose JSON lines are kept in `lines`. */
export function captureLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ format: 'json', level: 'info', out: { write: (s: string) => (lines.push(...s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)), true) } as unknown as NodeJS.WritableStream });
  return { log, lines };
}

export interface Rendered {
  width: number;
  height: number;
  /** RGB bytes, row by row. */
  rgb: Buffer;
  stderr: string;
  fonts: TextFonts;
  layouts: TextLayout[];
  ass: string;
}

/** Plans, writes and renders `layers` over black at width x height (one frame), as the compiler will. */
export async function render(dir: string, layers: Array<Partial<TextLayer> & { text: string }>, opts: { width?: number; height?: number; fontsDirs?: string[]; name?: string } = {}): Promise<Rendered> {
  const [width, height] = [opts.width ?? 320, opts.height ?? 180];
  const tl = timeline(layers, width, height);
  const fonts = await planFonts(tl, { fontsDirs: opts.fontsDirs ?? [] });
  const entries = tl.layers.map((layer, index) => ({ layer: layer as TextLayer, index }));
  const canvas = { width, height, scale: 1 };
  const ass = buildAss(entries, canvas, fonts, 1);
  const path = join(dir, opts.name ?? 'text.ass');
  await writeFile(path, ass);
  const { ffmpeg } = await binaries();
  const r = await execa(ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'verbose', '-f', 'lavfi', '-i', `color=black:s=${width}x${height}:r=1:d=1`, '-vf', `format=rgb24,${assFilter(path, canvas, fonts.fontsDirs)}`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer', reject: false, timeout: 60_000 });
  const stderr = Buffer.from(r.stderr).toString('utf8');
  assert.equal(r.exitCode, 0, `ffmpeg failed:\n${stderr}`);
  // libass reports a glyph it had to look for itself (the runs missed it) or could not find.
  const bad = stderr.split('\n').filter((l) => /\berror\b|not found|failed|fallback|unable/i.test(l));
  assert.deepEqual(bad, [], `ffmpeg reported trouble:\n${bad.join('\n')}`);
  const rgb = Buffer.from(r.stdout);
  assert.equal(rgb.length, width * height * 3);
  const metrics = (index: number) => (family: string) => fonts.faces.get(faceKey(family, entries[index]!.layer.bold))!;
  const layouts = entries.map(({ layer, index }) => layoutText(layer, fonts.runs.get(index)!, canvas, metrics(index), fonts.primary.get(index)!));
  return { width, height, rgb, stderr, fonts, layouts, ass };
}

/** The pixels matching `test` (r, g, b): their count and bounding box (null when none). */
export function pixels(img: Rendered, test: (r: number, g: number, b: number) => boolean, within?: Rect): { count: number; box: Rect | null } {
  let count = 0;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (within && (x < within.x || x >= within.x + within.w || y < within.y || y >= within.y + within.h)) continue;
      const i = (y * img.width + x) * 3;
      if (!test(img.rgb[i]!, img.rgb[i + 1]!, img.rgb[i + 2]!)) continue;
      count++;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return { count, box: count ? { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 } : null };
}

export const white = (r: number, g: number, b: number) => r > 150 && g > 150 && b > 150;

/** `r` grown by `by` pixels on every side. */
export function grow(r: Rect, by: number): Rect {
  return { x: r.x - by, y: r.y - by, w: r.w + 2 * by, h: r.h + 2 * by };
}

/** Whether `inner` lies within `outer`. */
export function inside(inner: Rect, outer: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}
