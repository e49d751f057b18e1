// Timeline colours ("#rrggbb", "#rrggbbaa", or a name): their schema, and as ffmpeg writes them.
import { z } from 'zod';

/** `#rrggbb`, `#rrggbbaa` (alpha last) or one of the names below. */
export const COLOR_NAMES: Readonly<Record<string, string>> = {
  black: '#000000', white: '#ffffff', red: '#ff0000', green: '#008000', blue: '#0000ff', yellow: '#ffff00',
  cyan: '#00ffff', magenta: '#ff00ff', gray: '#808080', grey: '#808080', orange: '#ffa500', pink: '#ffc0cb',
  purple: '#800080', gold: '#ffd700', transparent: '#00000000',
};
const COLOR = 'a colour: "#rrggbb", "#rrggbbaa" or a name (black, white, red, ...)';
export const ColorSchema = z.string({ error: COLOR }).refine((v) => /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/.test(v) || v.toLowerCase() in COLOR_NAMES, { error: COLOR });

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0 (transparent) to 1 (opaque). */
  a: number;
}

/** Parses a colour the schema accepted. */
export function parseColor(color: string): Rgba {
  const hex = color.startsWith('#') ? color : (COLOR_NAMES[color.toLowerCase()] ?? '#000000');
  const n = (i: number) => parseInt(hex.slice(i, i + 2), 16);
  return { r: n(1), g: n(3), b: n(5), a: hex.length === 9 ? n(7) / 255 : 1 };
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** `0xrrggbb`, with `@alpha` when not opaque (unless `opaque`: for sources that have no alpha). */
export function colorArg(color: string, opaque = false): string {
  const c = parseColor(color);
  const rgb = `0x${hex2(c.r)}${hex2(c.g)}${hex2(c.b)}`;
  return opaque || c.a >= 1 ? rgb : `${rgb}@${Math.round(c.a * 1000) / 1000}`;
}
