// PLACEHOLDER: replaced by the text work (ASS document for text layers, the ass filter).
import type { TextLayer } from '../schema.js';
import type { TextFonts } from './fonts.js';

export interface Canvas {
  /** The rendered size (a draft render is smaller than the timeline's output). */
  width: number;
  height: number;
  /** Rendered pixels per timeline pixel (1, or below 1 for a draft). */
  scale: number;
}

/** An ASS document drawing `entries` (text layers and their index in timeline.layers), times in output seconds. */
export function buildAss(_entries: Array<{ layer: TextLayer; index: number }>, _canvas: Canvas, _fonts: TextFonts, _duration: number): string {
  throw new Error('buildAss: not implemented yet');
}

/** The filter (escaped for -filter_complex) that burns the ASS file at `path` into the video. */
export function assFilter(_path: string, _canvas: Canvas, _fontsDirs: string[]): string {
  throw new Error('assFilter: not implemented yet');
}
