// The JSON files ingest leaves for others to read: the reason beside every rejected file
// (trash/invalid/**/<name>.reason.json, docs/errors.md), read by `clipmill status` and the
// dashboard; and a story's sources.json (scanned/story/<category>/<story>/sources.json),
// which records every crawled page. One schema each, types inferred.
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import { fitName, NAME_MAX } from './fs.js';

const isoTime = z.string().min(1);
// Own keys only: "toString" is not a code.
const errorCode = z.string().refine((c): c is ErrorCode => Object.hasOwn(ERROR_CODES, c), { message: 'a code of the error catalog (docs/errors.md)' });
const facts = z.record(z.string(), z.unknown());

/** trash/invalid/**\/<name>.reason.json: why a raw file (or an original whose conversion failed) was rejected. */
export const ReasonFileSchema = z.strictObject({
  code: errorCode,
  /** The rejected file's name beside it, when `<name>.reason.json` would be too long a name and the reason's is shortened. */
  file_name: z.string().min(1).optional(),
  message: z.string(),
  /** Where the file came from: raw/video/<category>/<name>, ... */
  raw_path: z.string().min(1),
  rejected_at: isoTime,
  /** What ffprobe saw, or null when it did not get that far. */
  probe: facts.nullable(),
  /** The error's other facts (limits, destinations, URLs). */
  details: facts,
});
export type ReasonFile = z.infer<typeof ReasonFileSchema>;

/**
 * The name of a rejected file's reason: `<name>.reason.json`, or, when that would be longer than
 * a file name may be (a 251-byte name), a shortened one whose JSON holds the full name.
 */
export function reasonFileName(name: string): string {
  return `${fitName(name, NAME_MAX - '.reason.json'.length)}.reason.json`;
}

/** One crawled page (the crawler's PageSource). */
export const PageSourceSchema = z.strictObject({
  url: z.string().min(1),
  final_url: z.string().min(1),
  title: z.string().nullable(),
  byline: z.string().nullable(),
  fetched_at: isoTime,
  charset: z.string(),
  /** The page declared no charset (and was not UTF-8): `charset` was guessed from its bytes. */
  charset_guessed: z.literal(true).optional(),
  method: z.enum(['readability', 'fallback', 'text']),
  /**
   * Which text was kept: 'cleaned' (clipmill's cleaning around Readability) or 'readability'
   * (plain Readability's article, kept because the cleaning lost most of it). Absent from
   * text/plain pages and from files written before it was recorded.
   */
  kept: z.enum(['cleaned', 'readability']).optional(),
  words: z.number().int().min(0),
});

/** One crawled URL and the chunk files its text went to. */
export const StoryLinkSchema = z.strictObject({
  /** The link file it came from, relative to the story folder (link/<name>.txt); absent from `clipmill crawl --chunks`. */
  link_file: z.string().min(1).optional(),
  url: z.string().min(1),
  /** The last page's address after redirects; absent from `clipmill crawl --chunks`. */
  final_url: z.string().min(1).optional(),
  words: z.number().int().min(0),
  chunks: z.array(z.string().min(1)),
  pages: z.array(PageSourceSchema),
});

/**
 * sources.json: every link crawled into a story folder, oldest first (the main worker appends
 * to it). `clipmill crawl --chunks <dir>` writes the same file for one URL, without the story.
 */
export const StorySourcesSchema = z.strictObject({
  category: z.string().min(1).optional(),
  story: z.string().min(1).optional(),
  links: z.array(StoryLinkSchema),
});
export type StorySources = z.infer<typeof StorySourcesSchema>;
