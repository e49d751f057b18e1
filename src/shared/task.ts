// The task folder's contract: metadata.json (spec §5 plus what reproduction and operations
// need) and video_list.txt in ffconcat format. Validated whenever it is read.
import { ClipmillError } from './errors.js';
import { UUID_RE } from './layout.js';

export const METADATA_SCHEMA_VERSION = 1;
export const TASK_FILES = { metadata: 'metadata.json', voice: 'voice.mp3', music: 'music.mp3', videoList: 'video_list.txt', logo: 'logo.png', frame: 'frame.mp4', claim: 'claim.json' } as const;

export interface TaskClip {
  /** Path relative to the project root (scanned/video/...). */
  path: string;
  duration: number;
  /** Where the clip starts and stops being used, in seconds of the clip (the last one is cut). */
  in: number;
  out: number;
}

export interface TaskMetadata {
  schema_version: number;
  task_id: string;
  created_at: string;
  category: string;
  story_name: string;
  /** 0-based variation of the voice file. */
  variation: number;
  seed: number;
  attempts: number;
  voice_file: string;
  /** The scanned voice file, relative to the root. */
  voice_source: string;
  voice_duration: number;
  music_file: string | null;
  music_source: string | null;
  music_duration: number | null;
  video_list: string;
  /** A decorative layer blended over the footage (screen), looped; null for none. */
  frame_file?: string | null;
  frame_source?: string | null;
  /** The resolution class the clips come from (mp4_w<W>_h<H>). */
  video_class: string;
  video_files: TaskClip[];
  audio: { voice_volume: number; music_volume: number; fade_out_seconds: number };
  render: { resolution: string; frame_rate: number; fit: 'pad' | 'crop'; logo: string | null; logo_width: number; output_format: 'mp4' };
}

function fail(field: string, expected: string, got: unknown): never {
  throw new ClipmillError('TASK_INVALID', `metadata.json: ${field} must be ${expected}, got ${JSON.stringify(got) ?? 'nothing'}`, { details: { field } });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function str(o: Record<string, unknown>, k: string, prefix = ''): string {
  if (typeof o[k] !== 'string' || o[k] === '') fail(prefix + k, 'a non-empty string', o[k]);
  return o[k];
}
function strOrNull(o: Record<string, unknown>, k: string): string | null {
  if (o[k] === null) return null;
  return str(o, k);
}
function numAt(o: Record<string, unknown>, k: string, min: number, prefix = '', int = false): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (int && !Number.isInteger(v))) fail(prefix + k, `${int ? 'an integer' : 'a number'} >= ${min}`, v);
  return v;
}
/** A file name inside the task folder: no folders, no dot-files. */
function localName(o: Record<string, unknown>, k: string, prefix = ''): string {
  const v = str(o, k, prefix);
  if (v.includes('/') || v.includes('\\') || v.startsWith('.')) fail(prefix + k, 'a file name inside the task folder', v);
  return v;
}

/** Validates parsed metadata.json; throws ClipmillError('TASK_INVALID') naming the field. */
export function validateMetadata(value: unknown): TaskMetadata {
  if (!isObj(value)) fail('(top level)', 'an object', value);
  const o = value;
  if (o.schema_version !== METADATA_SCHEMA_VERSION) fail('schema_version', String(METADATA_SCHEMA_VERSION), o.schema_version);
  const taskId = str(o, 'task_id');
  if (!UUID_RE.test(taskId)) fail('task_id', 'a UUID', taskId);
  str(o, 'created_at');
  str(o, 'category');
  str(o, 'story_name');
  numAt(o, 'variation', 0, '', true);
  numAt(o, 'seed', 0, '', true);
  numAt(o, 'attempts', 0, '', true);
  localName(o, 'voice_file');
  str(o, 'voice_source');
  numAt(o, 'voice_duration', 0.001);
  if (o.music_file !== null) {
    localName(o, 'music_file');
    str(o, 'music_source');
    numAt(o, 'music_duration', 0.001);
  }
  localName(o, 'video_list');
  if (o.frame_file !== undefined && o.frame_file !== null) {
    localName(o, 'frame_file');
    str(o, 'frame_source');
  }
  str(o, 'video_class');
  if (!Array.isArray(o.video_files) || o.video_files.length === 0) fail('video_files', 'a non-empty list', o.video_files);
  o.video_files.forEach((c: unknown, i: number) => {
    if (!isObj(c)) fail(`video_files[${i}]`, 'an object', c);
    str(c, 'path', `video_files[${i}].`);
    const d = numAt(c, 'duration', 0.001, `video_files[${i}].`);
    const inPoint = numAt(c, 'in', 0, `video_files[${i}].`);
    const out = numAt(c, 'out', 0, `video_files[${i}].`);
    if (out <= inPoint || out > d + 0.001) fail(`video_files[${i}].out`, `a number above in (${inPoint}) and at most duration (${d})`, out);
  });
  if (!isObj(o.audio)) fail('audio', 'an object', o.audio);
  numAt(o.audio, 'voice_volume', 0, 'audio.');
  numAt(o.audio, 'music_volume', 0, 'audio.');
  numAt(o.audio, 'fade_out_seconds', 0, 'audio.');
  if (!isObj(o.render)) fail('render', 'an object', o.render);
  const r = o.render;
  if (typeof r.resolution !== 'string' || !/^\d+x\d+$/.test(r.resolution)) fail('render.resolution', '"WIDTHxHEIGHT"', r.resolution);
  numAt(r, 'frame_rate', 1, 'render.');
  if (r.fit !== 'pad' && r.fit !== 'crop') fail('render.fit', '"pad" or "crop"', r.fit);
  if (r.logo !== null) localName(r, 'logo', 'render.');
  numAt(r, 'logo_width', 0, 'render.');
  if (r.output_format !== 'mp4') fail('render.output_format', '"mp4"', r.output_format);
  strOrNull(o, 'music_file');
  return o as unknown as TaskMetadata;
}

export function parseMetadata(text: string): TaskMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ClipmillError('TASK_INVALID', `metadata.json is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validateMetadata(value);
}

/**
 * Quotes a path for an ffconcat `file` line. Inside single quotes everything is literal, so
 * a quote is written as '\'' (close, escaped quote, reopen). Line breaks cannot be expressed
 * in the format at all (the demuxer reads line by line): such paths are refused, and ingest
 * rejects folder names with control characters so they never reach a list.
 */
export function ffconcatQuote(path: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\u0000]/.test(path)) throw new ClipmillError('TASK_INVALID', `path ${JSON.stringify(path)} contains a line break and cannot be written to an ffconcat list`);
  return `'${path.replace(/'/g, "'\\''")}'`;
}

/** video_list.txt: paths are relative to the list's own folder, as the concat demuxer reads them. */
export function buildFfconcat(paths: string[]): string {
  return `ffconcat version 1.0\n${paths.map((p) => `file ${ffconcatQuote(p)}\n`).join('')}`;
}

// TEMPORARY until the zod metadata schema lands: the hand-written validator behind a schema.
import { z } from 'zod';
export const MetadataSchema = z.unknown().transform((v, ctx): TaskMetadata => {
  try {
    return validateMetadata(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});
