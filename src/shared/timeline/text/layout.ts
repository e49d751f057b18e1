// Where the lines of a text layer go, in rendered pixels (pure). libass does not wrap (the ASS
// document asks it not to): lines are broken here, greedily by words (CJK by character, never
// before closing punctuation), measured with the faces of the runs, so that the block's size
// is known and the line spacing is exact. The block (text plus the box's padding) is placed on
// the 3x3 grid with the margin, or at x/y; each line then gets the pen position that puts its
// baseline where the layer's line height says, given where libass puts a line's baseline below
// its top (FontMetrics.assAscent of the fonts in that line).
import type { TextLayer } from '../schema.js';
import type { FontMetrics } from './font-files.js';
import type { TextRun } from './fonts.js';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Align = 'left' | 'center' | 'right';

/** One line as libass will draw it: \an7/8/9 (per align) at \pos(x, y). */
export interface PlacedLine {
  runs: TextRun[];
  /** The anchor: the left edge, the middle or the right edge of the line, per align; the top of the line. */
  x: number;
  y: number;
  /** Measured width. */
  width: number;
}

export interface TextLayout {
  align: Align;
  lines: PlacedLine[];
  /** The text block (lines from the first line's ascender to the last one's descender). */
  text: Rect;
  /** The box behind the text (the block grown by the padding), when the layer has one. */
  box: Rect | null;
  /** Font size in rendered pixels (the em). */
  em: number;
}

export interface Canvas {
  /** The rendered size (a draft render is smaller than the timeline's output). */
  width: number;
  height: number;
  /** Rendered pixels per timeline pixel (1, or below 1 for a draft). */
  scale: number;
}

/** Characters that break a line before or after themselves: Han, kana, CJK punctuation and fullwidth forms. */
const CJK = /[\u2e80-\u2fff\u3000-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u{20000}-\u{3134f}]/u;
/** Characters a line must not start with (closing punctuation, small kana, the prolonged sound mark). */
const NO_START = /^[)\]}>,.!?:;%\u3001\u3002\uff0c\uff0e\uff01\uff1f\uff1a\uff1b\uff09\uff3d\uff5d\u300d\u300f\u3011\u3015\u3009\u300b\u30fc\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u2019\u201d]/u;

interface Piece {
  text: string;
  family: string;
}

/** Measures runs: the sum of each same-family piece's advance. */
export type Measure = (family: string, text: string) => number;

/** Joins adjacent pieces of one family. */
function merge(pieces: Piece[]): TextRun[] {
  const out: TextRun[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last && last.family === p.family) last.text += p.text;
    else if (p.text) out.push({ text: p.text, family: p.family });
  }
  return out;
}

/** Leading and trailing spaces dropped (libass skips them too). */
function trim(pieces: Piece[]): Piece[] {
  const out = pieces.map((p) => ({ ...p }));
  while (out.length > 0) {
    const first = out[0]!;
    first.text = first.text.replace(/^ +/, '');
    if (first.text) break;
    out.shift();
  }
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    last.text = last.text.replace(/ +$/, '');
    if (last.text) break;
    out.pop();
  }
  return out;
}

export function widthOf(runs: TextRun[], measure: Measure): number {
  return runs.reduce((w, r) => w + measure(r.family, r.text), 0);
}

/**
 * Tokens of one paragraph: words (with the spaces after them), single CJK characters, and
 * characters that may not start a line glued to the token before them.
 */
function tokens(pieces: Piece[]): Piece[][] {
  const out: Piece[][] = [];
  let cur: Piece[] = [];
  let endsWithSpace = false;
  const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
  for (const piece of pieces) {
    for (const { segment } of segmenter.segment(piece.text)) {
      const isSpace = segment === ' ';
      const breakBefore = cur.length > 0 && !isSpace && !NO_START.test(segment) && (endsWithSpace || CJK.test(segment) || CJK.test(lastChar(cur)));
      if (breakBefore) (out.push(cur), (cur = []));
      const last = cur[cur.length - 1];
      if (last && last.family === piece.family) last.text += segment;
      else cur.push({ text: segment, family: piece.family });
      endsWithSpace = isSpace;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

function lastChar(pieces: Piece[]): string {
  const t = pieces[pieces.length - 1]?.text ?? '';
  return [...t].pop() ?? '';
}

/** Cuts one token wider than the line into pieces that fit, grapheme by grapheme. */
function splitWide(token: Piece[], maxWidth: number, measure: Measure): Piece[][] {
  const out: Piece[][] = [];
  let cur: Piece[] = [];
  const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
  for (const piece of token) {
    for (const { segment } of segmenter.segment(piece.text)) {
      const next = merge([...cur, { text: segment, family: piece.family }]);
      if (cur.length && widthOf(merge(trim(next)), measure) > maxWidth) (out.push(cur), (cur = [{ text: segment, family: piece.family }]));
      else cur = next;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Lines of the runs: explicit line breaks, then greedy wrapping at `maxWidth`. Empty lines stay (as []). */
export function wrapRuns(runs: TextRun[], maxWidth: number, measure: Measure): TextRun[][] {
  const paragraphs: Piece[][] = [[]];
  for (const run of runs) {
    run.text.split('\n').forEach((part, i) => {
      if (i > 0) paragraphs.push([]);
      if (part) paragraphs[paragraphs.length - 1]!.push({ text: part, family: run.family });
    });
  }
  const lines: TextRun[][] = [];
  const fits = (pieces: Piece[]) => widthOf(merge(trim(pieces)), measure) <= maxWidth;
  for (const para of paragraphs) {
    let line: Piece[] = [];
    const flush = () => {
      lines.push(merge(trim(line)));
      line = [];
    };
    for (const token of tokens(para)) {
      const candidate = [...line, ...token];
      if (line.length === 0 || fits(candidate)) {
        line = candidate;
      } else {
        flush();
        line = [...token];
      }
      // Only a token alone on its line can be too wide: it is cut where it must be.
      if (!fits(line)) {
        const parts = splitWide(line, maxWidth, measure);
        for (const p of parts.slice(0, -1)) lines.push(merge(trim(p)));
        line = parts[parts.length - 1] ?? [];
      }
    }
    flush();
  }
  return lines;
}

/** The alignment of a layer's lines: its own, or the column of its position (left with x). */
export function alignOf(layer: TextLayer): Align {
  if (layer.align) return layer.align;
  if (layer.x !== undefined) return 'left';
  return layer.position.endsWith('left') ? 'left' : layer.position.endsWith('right') ? 'right' : 'center';
}

/**
 * Lays out one text layer on the canvas. `metrics(family)` gives the face each run's family is
 * drawn with at the layer's weight; `primary` is the layer's own family (it sets the line
 * height with the fallback families the runs use: the largest ascent, descent and gap).
 */
export function layoutText(layer: TextLayer, runs: TextRun[], canvas: Canvas, metrics: (family: string) => FontMetrics, primary: string): TextLayout {
  const s = canvas.scale;
  const em = layer.size * s;
  const measure: Measure = (family, text) => metrics(family).advance(text) * em;
  const families = [...new Set([primary, ...runs.map((r) => r.family)])].map(metrics);
  const ascent = Math.max(...families.map((m) => m.ascent)) * em;
  const descent = Math.max(...families.map((m) => m.descent)) * em;
  const advance = ascent + descent + Math.max(...families.map((m) => m.lineGap)) * em + layer.line_spacing * s;
  const padding = layer.box ? layer.box.padding * s : 0;
  const margin = layer.margin * s;
  const maxWidth = layer.wrap_width !== undefined ? layer.wrap_width * s : canvas.width - 2 * margin - 2 * padding;
  const wrapped = wrapRuns(runs, Math.max(1, maxWidth), measure);
  const widths = wrapped.map((l) => widthOf(l, measure));
  const w = Math.max(0, ...widths);
  const h = ascent + descent + (wrapped.length - 1) * advance;
  const outerW = w + 2 * padding;
  const outerH = h + 2 * padding;
  const column = layer.position.endsWith('left') ? 0 : layer.position.endsWith('right') ? 2 : 1;
  const row = layer.position.startsWith('top') ? 0 : layer.position.startsWith('bottom') ? 2 : 1;
  const place = (at: number | undefined, cell: number, size: number, outer: number) => (at !== undefined ? at * s : cell === 0 ? margin : cell === 2 ? size - margin - outer : (size - outer) / 2);
  const left = place(layer.x, column, canvas.width, outerW) + padding;
  const top = place(layer.y, row, canvas.height, outerH) + padding;
  const align = alignOf(layer);
  const lines: PlacedLine[] = [];
  wrapped.forEach((line, i) => {
    if (line.length === 0) return;
    const baseline = top + ascent + i * advance;
    const lineAscent = Math.max(...line.map((r) => metrics(r.family).assAscent)) * em;
    const x = align === 'left' ? left : align === 'right' ? left + w : left + w / 2;
    lines.push({ runs: line, x, y: baseline - lineAscent, width: widths[i]! });
  });
  return { align, lines, text: { x: left, y: top, w, h }, box: layer.box ? { x: left - padding, y: top - padding, w: outerW, h: outerH } : null, em };
}
