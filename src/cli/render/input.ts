// What `clipmill render` reads: a bare timeline.json (TimelineSchema) or a task's
// metadata.json (v1 or v2), validated with errors that name the file, the field and the bad
// value, and every file it names resolved to a local path and checked before ffmpeg starts.
//
// Where names point (docs/timeline.md "Files"):
//  - timeline.json: relative to the JSON file's folder; absolute paths as they are;
//  - metadata.json: a name without a slash is a file of the task folder (the JSON's folder),
//    a path with one is relative to the project root (scanned/...): --root, else the root
//    the task folder lies in (tasks/<id>, processing/<id>, output/<id>, trash/failed/<id> ...),
//    else $CLIPMILL_ROOT.
import { existsSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { describeExpected, validate } from '../../shared/json.js';
import { readRegularFile } from '../../shared/safe-files.js';
import { MetadataSchema, type TaskMetadata } from '../../shared/task.js';
import { timelineOf } from '../../shared/timeline/from-metadata.js';
import { timelineFileFields, TimelineSchema, type Timeline } from '../../shared/timeline/schema.js';

export interface RenderInput {
  /** The JSON file, absolute. */
  file: string;
  kind: 'timeline' | 'metadata';
  /** schema_version of a metadata.json (null for a bare timeline). */
  version: number | null;
  timeline: Timeline;
  /** Every file the timeline names -> the absolute path ffmpeg reads. */
  paths: Map<string, string>;
  /** The project root that paths with a slash were resolved against (metadata.json only). */
  root: string | null;
  /** Every file the timeline names -> the field that names it, for messages. */
  fields: Map<string, string>;
}

export interface InputOptions {
  /** --root. */
  root?: string | undefined;
  /** $CLIPMILL_ROOT: the last resort for root-relative paths. */
  envRoot?: string | undefined;
}

/** Parents of a task folder, relative to the root. */
const TASK_PARENTS = [['tasks'], ['processing'], ['output'], ['previews'], ['chunks'], ['trash', 'failed'], ['trash', 'cancelled']];

/** The project root a task folder lies in (judged by the folder names and a scanned/ beside them), or null. */
export function rootOfTaskDir(taskDir: string): string | null {
  for (const parents of TASK_PARENTS) {
    let dir = dirname(resolve(taskDir));
    let ok = true;
    for (const name of [...parents].reverse()) {
      if (basename(dir) !== name) ok = false;
      dir = dirname(dir);
    }
    if (ok && existsSync(join(dir, 'scanned')) && statSync(join(dir, 'scanned')).isDirectory()) return dir;
  }
  return null;
}

/** Where each file is named, for messages: `video[0].file`, or a v1 task's own field. */
export function fileFields(timeline: Timeline, meta: TaskMetadata | null): Map<string, string> {
  const out = new Map<string, string>();
  const add = (name: string | null | undefined, field: string) => {
    if (name && !out.has(name)) out.set(name, field);
  };
  if (meta && !meta.timeline) {
    meta.video_files.forEach((c, i) => add(c.path, `video_files[${i}].path`));
    add(meta.voice_file, 'voice_file');
    add(meta.music_file, 'music_file');
    add(meta.frame_file, 'frame_file');
    add(meta.render.logo, 'render.logo');
    return out;
  }
  return timelineFileFields(timeline, meta ? 'timeline.' : '');
}

function invalid(label: string, message: string, details: Record<string, unknown> = {}): ClipmillError {
  return new ClipmillError('TASK_INVALID', `${label}: ${message}`, { details: { file: label, ...details } });
}

/** Reads, validates and resolves `arg` (the path given on the command line). */
export async function loadRenderInput(arg: string, opts: InputOptions = {}): Promise<RenderInput> {
  const file = resolve(arg);
  let text: string;
  try {
    // Links are followed (a timeline.json may be one); what they lead to must be a regular file.
    text = await readRegularFile(await realpath(file));
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    const why = errno === 'ENOENT' ? 'no such file' : errno === 'EISDIR' || errno === 'EINVAL' ? 'not a regular file' : (err as Error).message;
    throw invalid(arg, `cannot read it (${why})`, { errno });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(arg, `not valid JSON: ${(err as Error).message}`);
  }
  // A task's metadata.json says its schema version; a bare timeline has no such key.
  const isMetadata = typeof value === 'object' && value !== null && !Array.isArray(value) && 'schema_version' in value;
  let meta: TaskMetadata | null = null;
  let timeline: Timeline;
  if (isMetadata) {
    meta = validate(MetadataSchema, value, arg, 'TASK_INVALID', describeExpected);
    timeline = timelineOf(meta);
  } else {
    timeline = validate(TimelineSchema, value, arg, 'TASK_INVALID', describeExpected);
  }

  const base = dirname(file);
  const fields = fileFields(timeline, meta);
  const needsRoot = meta !== null && [...fields.keys()].some((n) => !isAbsolute(n) && n.includes('/'));
  const root = needsRoot ? taskRoot(arg, base, opts) : null;
  const paths = new Map<string, string>();
  for (const name of fields.keys()) {
    if (isAbsolute(name)) paths.set(name, name);
    else if (meta && name.includes('/')) paths.set(name, resolve(root!, name));
    else paths.set(name, resolve(base, name));
  }
  await checkFiles(arg, paths, fields);
  return { file, kind: meta ? 'metadata' : 'timeline', version: meta?.schema_version ?? null, timeline, paths, root, fields };
}

function taskRoot(arg: string, taskDir: string, opts: InputOptions): string {
  if (opts.root) return resolve(opts.root);
  const found = rootOfTaskDir(taskDir);
  if (found) return found;
  if (opts.envRoot) return resolve(opts.envRoot);
  throw invalid(arg, `names files relative to a project root (scanned/...), but ${taskDir} is not a task folder of a root (tasks/<id>/, processing/<id>/, trash/failed/<id>/ ...); pass --root <dir>`);
}

/** Every file must be a regular file (links followed): all the missing ones are named at once. */
async function checkFiles(arg: string, paths: ReadonlyMap<string, string>, fields: ReadonlyMap<string, string>): Promise<void> {
  const bad: string[] = [];
  for (const [name, path] of paths) {
    const where = `${fields.get(name) ?? 'file'} ${JSON.stringify(name)}`;
    try {
      if (!(await stat(path)).isFile()) bad.push(`${where}: ${path} is not a regular file`);
    } catch (err) {
      const errno = (err as NodeJS.ErrnoException).code;
      bad.push(`${where}: ${errno === 'ENOENT' || errno === 'ENOTDIR' ? `${path} does not exist` : `cannot read ${path} (${errno ?? (err as Error).message})`}`);
    }
  }
  if (bad.length) throw invalid(arg, `missing input file${bad.length > 1 ? 's' : ''}: ${bad.join('; ')}`, { missing: bad.length });
}
