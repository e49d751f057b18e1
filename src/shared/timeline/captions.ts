// Captions layers (DESIGN §3): word timings (a voice's words.json) turned into timed text. Pure:
// the words are read before compiling (prepare.ts), and each captions layer is expanded into
// text layers — one per page (line), per word (word), or per spoken word with that word
// highlighted (karaoke) — which go through the text layers' path: fonts planned for every
// character (Arabic and CJK shaped by libass), one ASS document, the same ffmpeg pass.
// The same pages are written as SRT and WebVTT beside final.mp4 (platforms take uploaded
// captions too).
import type { Word } from '../words.js';
import type { CaptionsLayer, Layer, TextLayer, Timeline } from './schema.js';

/** The 9:16 safe area: what the platforms' buttons and titles leave free, as fractions of the output. */
export const SAFE_AREA = { top: 0.1, bottom: 0.2, side: 0.06 } as const;

/** Seconds a caption stays after its last word when no word follows soon. */
const HOLD = 0.5;
/** A pause this long between two words ends a page. */
const PAGE_GAP = 1.5;

export interface CaptionWord {
  text: string;
  start: number;
  end: number;
  /** Where the word lies in its page's text (UTF-16 offsets). */
  from: number;
  to: number;
}

export interface CaptionPage {
  text: string;
  start: number;
  end: number;
  words: CaptionWord[];
}

const SENTENCE_END = /[.!?…。！？؟]["'”’»)\]]*$/u;
const CJK = /[\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

/** Words joined as they are written: with a space, except between two CJK characters. */
function joinWords(words: readonly string[]): { text: string; spans: Array<[number, number]> } {
  let text = '';
  const spans: Array<[number, number]> = [];
  words.forEach((w, i) => {
    const prev = words[i - 1];
    if (i > 0 && !(prev && CJK.test(prev.slice(-1)) && CJK.test(w[0] ?? ''))) text += ' ';
    spans.push([text.length, text.length + w.length]);
    text += w;
  });
  return { text, spans };
}

/** The words shifted by the layer's offset, in order, without empty ones. */
function timed(layer: Pick<CaptionsLayer, 'offset'>, words: readonly Word[]): Word[] {
  return words.filter((w) => w.word.trim().length > 0).map((w) => ({ word: w.word.trim(), start: w.start + layer.offset, end: w.end + layer.offset }));
}

/** Where a caption ends: when the next one starts, if that is within PAGE_GAP; else HOLD after its last word. */
function until(lastEnd: number, nextStart: number | undefined): number {
  return nextStart !== undefined && nextStart - lastEnd <= PAGE_GAP ? nextStart : lastEnd + HOLD;
}

/**
 * Pages of words: up to `maxChars` characters, a sentence end closes a page, so does a long
 * pause; a word longer than maxChars is a page of its own. Style "word" makes a page per word.
 */
export function captionPages(layer: Pick<CaptionsLayer, 'offset' | 'style' | 'max_chars'>, words: readonly Word[]): CaptionPage[] {
  const ws = timed(layer, words);
  const groups: Word[][] = [];
  let cur: Word[] = [];
  for (const w of ws) {
    const last = cur[cur.length - 1];
    const longer = joinWords([...cur.map((x) => x.word), w.word]).text.length > layer.max_chars;
    if (last && (layer.style === 'word' || longer || SENTENCE_END.test(last.word) || w.start - last.end > PAGE_GAP)) {
      groups.push(cur);
      cur = [];
    }
    cur.push(w);
  }
  if (cur.length) groups.push(cur);
  return groups.map((g, k) => {
    const { text, spans } = joinWords(g.map((w) => w.word));
    const next = groups[k + 1]?.[0]?.start;
    return {
      text,
      start: g[0]!.start,
      end: until(g[g.length - 1]!.end, next),
      words: g.map((w, i) => ({ text: w.word, start: w.start, end: w.end, from: spans[i]![0], to: spans[i]![1] })),
    };
  });
}

/** A text layer of an expanded caption: karaoke's spoken word carries its range and colour. */
export type CaptionText = TextLayer & { highlight?: { from: number; to: number; color: string } };

/** The text layers that draw one captions layer, on an output of width x height. */
export function captionTextLayers(layer: CaptionsLayer, words: readonly Word[], output: { width: number; height: number; duration: number }): CaptionText[] {
  const lo = layer.start;
  const hi = Math.min(layer.end ?? output.duration, output.duration);
  const margin = layer.position === 'top' ? SAFE_AREA.top * output.height : layer.position === 'bottom' ? SAFE_AREA.bottom * output.height : 0;
  const base: TextLayer = {
    type: 'text',
    text: 'x',
    start: 0,
    position: layer.position,
    margin,
    font: layer.font,
    size: layer.size,
    color: layer.color,
    bold: layer.bold,
    ...(layer.stroke ? { stroke: layer.stroke } : {}),
    ...(layer.box ? { box: layer.box } : {}),
    wrap_width: output.width * (1 - 2 * SAFE_AREA.side),
    line_spacing: 0,
    align: 'center',
  };
  const out: CaptionText[] = [];
  const add = (text: string, start: number, end: number, highlight?: CaptionText['highlight']) => {
    const [a, b] = [Math.max(lo, start), Math.min(hi, end)];
    if (b - a < 1e-3) return;
    out.push({ ...base, text, start: a, end: b, ...(highlight ? { highlight } : {}) });
  };
  for (const page of captionPages(layer, words)) {
    if (layer.style !== 'karaoke') {
      add(page.text, page.start, page.end);
      continue;
    }
    page.words.forEach((w, i) => {
      const next = page.words[i + 1];
      add(page.text, i === 0 ? page.start : w.start, next ? next.start : page.end, { from: w.from, to: w.to, color: layer.highlight });
    });
  }
  return out;
}

/** Whether the timeline has captions layers (they need their words files read before compiling). */
export function hasCaptions(tl: Timeline): boolean {
  return tl.layers.some((l) => l.type === 'captions');
}

/**
 * The timeline with each captions layer replaced by the text layers that draw it (in its
 * place, so the order of layers holds). `words`: each captions layer's words file -> its words.
 */
export function expandCaptions(tl: Timeline, words: ReadonlyMap<string, readonly Word[]>): Timeline {
  if (!hasCaptions(tl)) return tl;
  const layers: Layer[] = tl.layers.flatMap((l): Layer[] => {
    if (l.type !== 'captions') return [l];
    const ws = words.get(l.words);
    if (!ws) throw new Error(`expandCaptions: the words of ${l.words} were not read (prepareInputs reads them)`);
    return captionTextLayers(l, ws, tl.output);
  });
  return { ...tl, layers };
}

function clock(seconds: number, sep: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(ms / 3600000))}:${two(Math.floor(ms / 60000) % 60)}:${two(Math.floor(ms / 1000) % 60)}${sep}${String(ms % 1000).padStart(3, '0')}`;
}

/** The pages of every captions layer as subtitle cues, in time order: lines (whatever the burnt-in style), within each layer's range. */
export function captionCues(tl: Timeline, words: ReadonlyMap<string, readonly Word[]>): Array<{ start: number; end: number; text: string }> {
  const cues: Array<{ start: number; end: number; text: string }> = [];
  for (const l of tl.layers) {
    if (l.type !== 'captions') continue;
    const hi = Math.min(l.end ?? tl.output.duration, tl.output.duration);
    for (const p of captionPages({ ...l, style: 'line' }, words.get(l.words) ?? [])) {
      const [a, b] = [Math.max(l.start, p.start), Math.min(hi, p.end)];
      if (b - a >= 1e-3) cues.push({ start: a / tl.effects.speed, end: b / tl.effects.speed, text: p.text });
    }
  }
  return cues.sort((a, b) => a.start - b.start);
}

/** SubRip: numbered cues, hh:mm:ss,mmm. A blank line inside a cue would end it: none can occur (words hold no line breaks). */
export function toSrt(cues: ReadonlyArray<{ start: number; end: number; text: string }>): string {
  return cues.map((c, i) => `${i + 1}\n${clock(c.start, ',')} --> ${clock(c.end, ',')}\n${c.text}\n`).join('\n');
}

/** WebVTT: "<", ">" and "&" escaped (they would start tags or entities). */
export function toVtt(cues: ReadonlyArray<{ start: number; end: number; text: string }>): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `WEBVTT\n\n${cues.map((c) => `${clock(c.start, '.')} --> ${clock(c.end, '.')}\n${esc(c.text)}\n`).join('\n')}`;
}
