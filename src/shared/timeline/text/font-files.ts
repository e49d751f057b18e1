// Font files read with fontkit: the faces of a file (a collection holds many), whether a face
// has outlines, and the metrics text layout needs, in the terms libass uses to draw (see
// FontMetrics). Parsing is cached per file: the CJK collections are 20 MB and many layers
// use them; a face is found in its collection by PostScript name or index without parsing
// the others.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import * as fontkit from 'fontkit';

/**
 * One face's metrics for layout, in ems (multiply by the font size in pixels). libass sizes a
 * font the way VSFilter does: an ASS font size is the height winAscent + winDescent of the
 * OS/2 table, not the em; `assSize` converts (the ASS size of a 1 px em), and `assAscent` is
 * how far below the top of a line libass puts its baseline.
 */
export interface FontMetrics {
  /** hhea ascender, descender (positive: below the baseline) and line gap. */
  ascent: number;
  descent: number;
  lineGap: number;
  /** libass font size per pixel of em. */
  assSize: number;
  /** libass line ascender (OS/2 winAscent, or the hhea ascender without an OS/2 table). */
  assAscent: number;
  /** Whether the face maps the code point to a glyph. */
  has(codePoint: number): boolean;
  /** Advance width of `text` shaped as one run (kerning, Arabic joining forms). */
  advance(text: string): number;
}

/** A face of a font file, parsed. */
export interface Face {
  file: string;
  /** Index in its collection (0 for a single font). */
  index: number;
  /** The family names libass matches (name IDs 1 and 16), the first being name ID 1. */
  families: string[];
  postscriptName: string;
  /** OS/2 usWeightClass (400 regular, 700 bold). */
  weight: number;
  italic: boolean;
  /** Whether the face has outlines (glyf, CFF or CFF2): libass cannot draw a bitmap-only one (colour emoji in CBDT or sbix). */
  outlines: boolean;
  metrics: FontMetrics;
}

/** File extensions of the fonts a fonts folder may hold. */
export const FONT_EXTENSIONS = ['.ttf', '.otf', '.ttc', '.otc'];

type Parsed = fontkit.Font | fontkit.FontCollection;
/** How many parsed font files are kept in memory. */
const MAX_PARSED_FILES = 40;
/** Parsed files by path, size and modification time (a replaced file is parsed again), least recently used first. */
const parsedFiles = new Map<string, Promise<Parsed>>();
const faces = new WeakMap<fontkit.Font, Face>();
/** The members of a collection (fontkit's `fonts` makes new objects on each read). */
const members = new WeakMap<fontkit.FontCollection, fontkit.Font[]>();

function isCollection(p: Parsed): p is fontkit.FontCollection {
  return (p as { type?: string }).type === 'TTC' || (p as { type?: string }).type === 'DFont';
}

/** The faces of a parsed file: itself, or the members of a collection (each TTFFont reads only its own tables, when asked). */
function fontsOf(parsed: Parsed): fontkit.Font[] {
  if (!isCollection(parsed)) return [parsed];
  let list = members.get(parsed);
  if (!list) members.set(parsed, (list = parsed.fonts));
  return list;
}

async function parseFile(file: string): Promise<Parsed> {
  const st = await stat(file);
  const key = `${file}\u0000${st.size}\u0000${st.mtimeMs}`;
  let parsed = parsedFiles.get(key);
  if (parsed) {
    parsedFiles.delete(key); // most recently used last
  } else {
    parsed = readFile(file).then((buf) => fontkit.create(buf));
    parsed.catch(() => parsedFiles.delete(key)); // a file that does not parse is tried again next time
    // The least recently used file goes when too many are kept (the CJK collections are 20 MB each).
    if (parsedFiles.size >= MAX_PARSED_FILES) parsedFiles.delete(parsedFiles.keys().next().value!);
  }
  parsedFiles.set(key, parsed);
  return parsed;
}

/** Every face of a font file (one, or each of a collection). Throws when it is not a font. */
export async function facesOfFile(file: string): Promise<Face[]> {
  return fontsOf(await parseFile(file)).map((f, i) => faceOf(f, file, i));
}

/** The face of `file` with this PostScript name, else the one at `index`; null when neither is there. */
export async function loadFace(file: string, postscriptName: string, index = 0): Promise<Face | null> {
  const fonts = fontsOf(await parseFile(file));
  if (fonts.length === 1) return faceOf(fonts[0]!, file, 0);
  const i = postscriptName ? fonts.findIndex((f) => f.postscriptName === postscriptName) : -1;
  const at = i >= 0 ? i : index;
  return fonts[at] ? faceOf(fonts[at], file, at) : null;
}

/**
 * Every face in the font files of `dir`, as libass reads a fonts folder (ass_library.c,
 * load_fonts_from_dir): the files directly in it, not in subfolders, dot-names skipped. Files
 * that are not fonts are skipped (libass logs an error for each: keep the folder for fonts).
 */
export async function facesOfDir(dir: string): Promise<Face[]> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.') && FONT_EXTENSIONS.includes(extname(n).toLowerCase())).sort();
  const out: Face[] = [];
  for (const name of names) {
    const file = join(dir, name);
    if (!(await stat(file).then((st) => st.isFile(), () => false))) continue;
    out.push(...(await facesOfFile(file).catch(() => [])));
  }
  return out;
}

function faceOf(font: fontkit.Font, file: string, index: number): Face {
  const known = faces.get(font);
  if (known) return known;
  const names = [font.familyName, font.getName('preferredFamily', 'en')].filter((n): n is string => typeof n === 'string' && n.length > 0);
  const os2 = optionalTable<fontkit.Os2Table>(font, 'OS/2');
  const face: Face = {
    file,
    index,
    families: [...new Set(names)],
    postscriptName: typeof font.postscriptName === 'string' ? font.postscriptName : '',
    weight: os2?.usWeightClass ?? 400,
    italic: os2?.fsSelection.italic ?? false,
    outlines: hasOutlines(font),
    metrics: metricsOf(font, os2),
  };
  faces.set(font, face);
  return face;
}

/** Whether the font has glyph outlines; a face with only bitmaps (CBDT, sbix, EBDT) has none. */
export function hasOutlines(font: fontkit.Font): boolean {
  // fontkit's table directory is not in its type declarations.
  const tables = (font as unknown as { directory?: { tables?: Record<string, unknown> } }).directory?.tables ?? {};
  return 'glyf' in tables || 'CFF ' in tables || 'CFF2' in tables;
}

function optionalTable<T>(font: fontkit.Font, tag: string): T | undefined {
  try {
    return ((font as unknown as Record<string, unknown>)[tag] as T | null) ?? undefined;
  } catch {
    return undefined; // a table that does not decode counts as absent
  }
}

/** The metrics of `font` as libass 0.17 uses them (ass_font.c: ass_face_set_size, ass_font_get_asc_desc). */
function metricsOf(font: fontkit.Font, os2: fontkit.Os2Table | undefined): FontMetrics {
  const upm = font.unitsPerEm || 1000;
  const hhea = optionalTable<fontkit.HHEA>(font, 'hhea');
  const ascent = hhea?.ascent ?? font.ascent;
  const descent = hhea?.descent ?? font.descent;
  // The fields are unsigned in the spec but signed in some fonts; libass reads them as short.
  const short = (n: number) => (n << 16) >> 16;
  const winHeight = os2 ? short(os2.winAscent) + short(os2.winDescent) : 0;
  const ftHeight = ascent - descent || (os2 ? os2.typoAscender - os2.typoDescender : 0) || upm;
  const advances = new Map<string, number>();
  return {
    ascent: ascent / upm,
    descent: -descent / upm,
    lineGap: (hhea?.lineGap ?? font.lineGap) / upm,
    assSize: (winHeight || ftHeight) / upm,
    assAscent: (os2 ? short(os2.winAscent) : ascent) / upm,
    has: (cp) => font.hasGlyphForCodePoint(cp),
    advance(text) {
      let w = advances.get(text);
      if (w === undefined) {
        w = text ? font.layout(text).advanceWidth / upm : 0;
        if (advances.size > 10_000) advances.clear();
        advances.set(text, w);
      }
      return w;
    },
  };
}
