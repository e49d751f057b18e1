// The catalog's types (catalog.ts): what planners, `clipmill assets` and the jobs planner read.
import type { Beats } from './media/beats.js';

export interface CatalogClip {
  /** Relative to the root. */
  path: string;
  id: string;
  duration: number;
  /** Normalized (lower-case); [] when untagged. */
  tags: string[];
  /**
   * The clip's sound (its asset record's `sound`): the kept original (relative to the root)
   * whose audio belongs under it, its seconds, and where its first sample lies on the clip's
   * time. Absent: the clip has no sound.
   */
  sound?: { path: string; duration: number; offset: number };
}

export interface CatalogClass {
  name: string;
  width: number;
  height: number;
  clips: CatalogClip[];
}

export interface CatalogMusic {
  path: string;
  id: string;
  duration: number;
  tags: string[];
  /** Its `<track>.beats.json` (onsets, tempo); absent for a track filed before beat analysis: no usable beats. */
  beats?: Beats;
}

export interface CatalogImage {
  path: string;
  id: string;
  category: string;
  /** After EXIF orientation. */
  width: number;
  height: number;
  tags: string[];
}

export interface CatalogText {
  /** The scanned text file (relative to the root). */
  path: string;
  /** `${assetId}#${line}`. */
  id: string;
  /** The text file's id (the UUID of its scanned name). */
  assetId: string;
  category: string;
  text: string;
  /** The row's own tags (a CSV `tags` cell), else the file's (its sidecar's). */
  tags: string[];
  /** The 1-based line of its CSV row (1 for a .txt). */
  line: number;
}

export interface CatalogNarrationPart {
  path: string;
  /** `<category>/<campaign>/part_<NNNN>[_<k>]`. */
  id: string;
  category: string;
  campaign: string;
  part: number;
  /** 1 for part_<NNNN>.mp3, k for part_<NNNN>_<k>.mp3. */
  take: number;
  /** Absent or 1, or N for part_<NNNN>[_<k>].v<N>.mp3 (voiced again by `clipmill narrate`). */
  version?: number;
  duration: number;
  tags: string[];
  transcript?: string;
}

export interface CategoryCatalog {
  video: CatalogClass[];
  music: CatalogMusic[];
  /** Decorative overlay layers (scanned/frame/<category>/), by resolution class. */
  frames?: CatalogClass[];
  /** Stills, sorted by path. */
  images: CatalogImage[];
  /** On-screen texts, sorted by path, then line. */
  texts: CatalogText[];
}

export interface CatalogVoice {
  /** Relative to the root. */
  path: string;
  category: string;
  story: string;
  name: string;
  /** Absent or 1, or N for <name>.v<N>.mp3: a later version (voiced again, or a person's recording that replaced a synthesized one). */
  version?: number;
  tags: string[];
  /** From the voice's sidecar: the priority of the tasks made from it. */
  priority?: number;
}

export type CatalogAsset =
  | ({ kind: 'video' | 'frame' } & CatalogClip & { category: string; videoClass: string; width: number; height: number })
  | ({ kind: 'music' } & CatalogMusic & { category: string })
  | ({ kind: 'voice' } & CatalogVoice)
  | ({ kind: 'image' } & CatalogImage)
  | ({ kind: 'text' } & CatalogText)
  | ({ kind: 'narration' } & CatalogNarrationPart);
