// Timeline colours ("#rrggbb", "#rrggbbaa", or a name) as ffmpeg writes them.
import { COLOR_NAMES } from './schema.js';

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
