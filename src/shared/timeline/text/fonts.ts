// PLACEHOLDER: replaced by the text work (fontconfig lookup, glyph coverage, fallback).
import type { Timeline } from '../schema.js';

export interface TextFonts {
  /** Per text layer (index in timeline.layers): the text cut into runs, each with the family that draws it. */
  runs: Map<number, Array<{ text: string; family: string }>>;
  /** Folders libass must search besides fontconfig's (configured font folders). */
  fontsDirs: string[];
}

export async function planFonts(_timeline: Timeline, _opts: { fontsDirs: string[] }): Promise<TextFonts> {
  throw new Error('planFonts: not implemented yet');
}
