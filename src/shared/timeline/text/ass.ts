// Text layers as an ASS document, burnt in by libass through ffmpeg's ass filter (Debian's
// FFmpeg 5.1 drawtext does not shape Arabic or Indic scripts). Pure: the fonts are planned by
// fonts.ts and the lines laid out by layout.ts; this writes them down. PlayRes is the rendered
// size, so every ASS coordinate is a rendered pixel.
//
// - One style per layer (font, size, colour, bold, stroke), one Dialogue event per line with
//   \an7/8/9 and \pos: libass wraps nothing (WrapStyle 2) and places each line exactly.
// - Encoding -1 lets fribidi take each line's direction from its text: an Arabic line ends
//   with its "!" on the left; alignment is unchanged (\an7 puts the line's left edge at x).
// - Sizes: an ASS font size is the face's winAscent + winDescent, not its em (VSFilter's
//   rule): the style and every \fs carry size * FontMetrics.assSize of their face.
// - The box is a drawing (\p1) of its own, one layer below the text: BorderStyle 3 would draw
//   one box per line event (overlapping or leaving gaps between lines, darker where two
//   translucent boxes overlap), use the glyphs' extent instead of the line's, and take the
//   Outline for its padding, so no text could have both a stroke and a box.
// - Text is escaped so that libass draws every character as written (see escapeAssText).
import { filterValue } from '../escape.js';
import { COLOR_NAMES, type TextLayer } from '../schema.js';
import { assSafeFamily, faceKey, normalizeText, type TextFonts } from './fonts.js';
import { type Canvas, layoutText } from './layout.js';

export type { Canvas } from './layout.js';

/** A colour of the schema as [RRGGBB, alpha], alpha 255 opaque. */
function rgba(color: string): [string, number] {
  const hex = (COLOR_NAMES[color.toLowerCase()] ?? color).slice(1).toUpperCase();
  return [hex.slice(0, 6), hex.length === 8 ? parseInt(hex.slice(6), 16) : 255];
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

/** A style colour: &HAABBGGRR, the alpha inverted (00 opaque). */
export function assColor(color: string): string {
  const [rgb, a] = rgba(color);
  return `&H${hex2(255 - a)}${rgb.slice(4, 6)}${rgb.slice(2, 4)}${rgb.slice(0, 2)}`;
}

/** An override tag's colour and alpha: `\1c&HBBGGRR&\1a&HAA&` for colour slot `n`. */
export function assColorTags(color: string, n: 1 | 3 = 1): string {
  const [rgb, a] = rgba(color);
  return `\\${n}c&H${rgb.slice(4, 6)}${rgb.slice(2, 4)}${rgb.slice(0, 2)}&\\${n}a&H${hex2(255 - a)}&`;
}

/**
 * Centiseconds, ASS's unit of time. libass shows an event at ffmpeg's frame time t (in ms,
 * truncated) when start <= t < end: the start is rounded down and the end up, so that every
 * frame in [start, end) shows the layer.
 */
export function centiseconds(seconds: number, round: 'down' | 'up'): number {
  return Math.max(0, round === 'down' ? Math.floor(seconds * 100 + 1e-6) : Math.ceil(seconds * 100 - 1e-6));
}

/** An ASS time, h:mm:ss.cc. */
export function assTime(cs: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(cs / 360000)}:${two(Math.floor(cs / 6000) % 60)}:${two(Math.floor(cs / 100) % 60)}.${two(cs % 100)}`;
}

/** A number for the document: two decimals at most, no "-0". */
export function num(n: number): string {
  const r = Math.round(n * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/**
 * Text that libass 0.17 draws as written. Its text reader (ass_render.c, get_next_char) takes
 * `{...}` for an override block and `\N`, `\n`, `\h`, `\{`, `\}` for codes; any other
 * backslash is drawn. So: `{` and `}` become `\{` and `\}` (libass un-escapes them since
 * 0.13), and a backslash that would start a code (before N, n, h, a brace, or the override
 * block that starts the next run) is followed by `joiner`, an invisible zero-width character
 * (U+2060 WORD JOINER where the face has it). A backslash before an escaped brace needs
 * nothing: `\\{` reads as a drawn backslash, then `\{`.
 */
export function escapeAssText(text: string, joiner = '\u2060', overrideFollows = false): string {
  const chars = [...text];
  let out = '';
  chars.forEach((c, i) => {
    const next = chars[i + 1];
    if (c === '{' || c === '}') out += `\\${c}`;
    else if (c === '\\') out += next === undefined ? (overrideFollows ? `\\${joiner}` : '\\') : 'Nnh'.includes(next) ? `\\${joiner}` : '\\';
    else out += c;
  });
  return out;
}

/** The zero-width character that breaks a backslash code, one the face has (libass would look for another font for it otherwise). */
function joinerFor(has: (cp: number) => boolean): string {
  return String.fromCodePoint([0x2060, 0x200b, 0xfeff].find(has) ?? 0x2060);
}

const STYLE_FORMAT = 'Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding';
const EVENT_FORMAT = 'Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text';

/** An ASS document drawing `entries` (text layers and their index in timeline.layers), times in output seconds. */
export function buildAss(entries: Array<{ layer: TextLayer; index: number }>, canvas: Canvas, fonts: TextFonts, duration: number): string {
  const styles: string[] = [];
  const events: string[] = [];
  entries.forEach(({ layer, index }, order) => {
    const runs = fonts.runs.get(index);
    if (!runs) throw new Error(`buildAss: text layer ${index} has no planned fonts (planFonts first)`);
    const primary = fonts.primary.get(index) ?? runs[0]?.family;
    if (!primary) throw new Error(`buildAss: text layer ${index} has no font`);
    const metrics = (family: string) => {
      if (!assSafeFamily(family)) throw new Error(`buildAss: the family name ${JSON.stringify(family)} cannot be written into an ASS document (text layer ${index})`);
      const m = fonts.faces.get(faceKey(family, layer.bold));
      if (!m) throw new Error(`buildAss: no metrics for "${family}"${layer.bold ? ' bold' : ''} (text layer ${index})`);
      return m;
    };
    const layout = layoutText(layer, runs, canvas, metrics, primary);
    const fs = (family: string) => num(layout.em * metrics(family).assSize);
    const style = `T${index}`;
    const stroke = layer.stroke && layer.stroke.width > 0 ? layer.stroke : null;
    const colour = assColor(layer.color);
    const outline = stroke ? assColor(stroke.color) : '&H00000000';
    styles.push(`Style: ${style},${primary},${fs(primary)},${colour},${colour},${outline},&H00000000,${layer.bold ? -1 : 0},0,0,0,100,100,0,0,1,${num(stroke ? stroke.width * canvas.scale : 0)},0,7,0,0,0,-1`);
    const startCs = centiseconds(layer.start, 'down');
    const [start, end] = [assTime(startCs), assTime(Math.max(startCs + 1, centiseconds(layer.end ?? duration, 'up')))];
    const event = (z: number, text: string) => events.push(`Dialogue: ${z},${start},${end},${style},,0,0,0,,${text}`);
    if (layout.box && layer.box && layout.lines.length > 0) {
      const b = layout.box;
      const [x0, y0] = [Math.round(b.x), Math.round(b.y)];
      const [w, h] = [Math.round(b.x + b.w) - x0, Math.round(b.y + b.h) - y0];
      event(2 * order, `{\\an7\\pos(${x0},${y0})\\p1\\bord0\\shad0${assColorTags(layer.box.color)}}m 0 0 l ${w} 0 ${w} ${h} 0 ${h}{\\p0}`);
    }
    const an = layout.align === 'left' ? 7 : layout.align === 'center' ? 8 : 9;
    // A caption's spoken word (captions.ts karaoke): its range of the text, found line by line
    // (the lines are the text in order, less the spaces they were broken at).
    const hl = (layer as TextLayer & { highlight?: { from: number; to: number; color: string } }).highlight;
    const full = normalizeText(layer.text);
    let cursor = 0;
    for (const line of layout.lines) {
      let text = `{\\an${an}\\pos(${num(line.x)},${num(line.y)})}`;
      let current = primary;
      const lineText = line.runs.map((r) => r.text).join('');
      const lineAt = hl ? full.indexOf(lineText, cursor) : -1;
      if (lineAt >= 0) cursor = lineAt + lineText.length;
      let at = lineAt;
      let lit = false;
      line.runs.forEach((run, i) => {
        if (run.family !== current) text += `{\\fn${run.family}\\fs${fs(run.family)}}`;
        current = run.family;
        const nextSwitches = i + 1 < line.runs.length && line.runs[i + 1]!.family !== current;
        const joiner = joinerFor(metrics(run.family).has);
        // The run cut where the highlight starts and ends; the colour switches with an override block.
        const cuts = hl && at >= 0 ? [hl.from - at, hl.to - at].filter((c) => c > 0 && c < run.text.length) : [];
        let k = 0;
        for (const end of [...cuts, run.text.length]) {
          const want = hl !== undefined && at >= 0 && at + k >= hl.from && at + k < hl.to;
          if (want !== lit) text += `{${assColorTags(want ? hl!.color : layer.color)}}`;
          lit = want;
          text += escapeAssText(run.text.slice(k, end), joiner, end < run.text.length || nextSwitches);
          k = end;
        }
        if (at >= 0) at += run.text.length;
      });
      event(2 * order + 1, text);
    }
  });
  return [
    '[Script Info]',
    '; The text layers of a clipmill timeline (src/shared/timeline/text/ass.ts)',
    'ScriptType: v4.00+',
    `PlayResX: ${canvas.width}`,
    `PlayResY: ${canvas.height}`,
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    'Kerning: yes',
    '',
    '[V4+ Styles]',
    `Format: ${STYLE_FORMAT}`,
    ...styles,
    '',
    '[Events]',
    `Format: ${EVENT_FORMAT}`,
    ...events,
    '',
  ].join('\n');
}

/**
 * The filter (escaped for -filter_complex or -vf) that burns the ASS file at `path` into the
 * video: complex shaping (HarfBuzz), the canvas as the original size. ffmpeg's ass filter takes
 * one fonts folder (its fontsdir option), so only the first of `fontsDirs` is passed; planFonts
 * looks for fonts in that one only, so that what it measured is what libass finds. libass loads
 * every file directly in that folder as a font: it should hold fonts only (the ASS file goes
 * elsewhere), or libass logs an error for each other file.
 */
export function assFilter(path: string, canvas: Canvas, fontsDirs: string[]): string {
  const dir = fontsDirs[0];
  return `ass=filename=${filterValue(path)}:original_size=${canvas.width}x${canvas.height}:shaping=complex${dir !== undefined ? `:fontsdir=${filterValue(dir)}` : ''}`;
}
