// Reading the JSON files of the tree through their schemas (DESIGN §2: one schema per JSON
// file, written with zod; the TypeScript type is inferred from it). Every error names the file,
// the field and the bad value, and carries the catalog code the caller gives.
//
// zod 4 was chosen over valibot and TypeBox: strict objects (unknown keys are errors), issues
// that carry the path and, with reportInput, the bad value, types inferred with z.infer, no
// build step, and z.toJSONSchema for the OpenAPI document the HTTP API will serve.
import { z } from 'zod';
import { ClipmillError, type ErrorCode } from './errors.js';
import { writeJsonAtomic } from './fs.js';
import { readRegularFile } from './safe-files.js';

/** `video_files[0].out`, `render.resolution`, or `(top level)`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(top level)';
}

/** One line per issue: the field, what was expected, what was given. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `${i.keys.map((k) => fieldPath([...i.path, k])).join(', ')}: unknown key${i.keys.length > 1 ? 's' : ''}`;
      const got = 'input' in i ? `, got ${JSON.stringify(i.input) ?? 'nothing'}` : '';
      return `${fieldPath(i.path)}: ${i.message}${got}`;
    })
    .join('; ');
}

/**
 * For schemas whose error messages say what a field must be (`{ error: 'a UUID' }`): one line
 * per issue, `task_id must be a UUID, got "x"`; unknown keys as `unknown key "render.fsp"`.
 */
export function describeExpected(issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${fieldPath([...i.path, k])}"`).join(', ')}`;
    // A record's bad key: what the key's schema said.
    const message = i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message;
    return `${fieldPath(i.path)} must be ${message}, got ${JSON.stringify(i.input) ?? 'nothing'}`;
  });
  return [...new Set(lines)].slice(0, 5).join('; ');
}

export type IssueFormatter = (issues: readonly z.core.$ZodIssue[]) => string;

/**
 * Validates a parsed value; throws `code` naming `file`, the field and the bad value.
 * `describe` formats the issues (describeIssues, or describeExpected for "must be" schemas).
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, file: string, code: ErrorCode, describe: IssueFormatter = describeIssues): z.infer<S> {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  const first = r.error.issues[0];
  throw new ClipmillError(code, `${file}: ${describe(r.error.issues)}`, { details: { file, field: first ? fieldPath(first.path) : null } });
}

/** Parses JSON text and validates it. */
export function parseJson<S extends z.ZodType>(schema: S, text: string, file: string, code: ErrorCode, describe: IssueFormatter = describeIssues): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ClipmillError(code, `${file} is not valid JSON: ${(err as Error).message}`, { cause: err, details: { file } });
  }
  return validate(schema, value, file, code, describe);
}

/**
 * Reads and validates a JSON file. What is not a small regular file (a FIFO, a link, a folder,
 * an oversized file) and bad content are `code`; a file that cannot be read is IO
 * (recoverable), and so is a missing one unless `opts.missing` names another code.
 */
export async function readJson<S extends z.ZodType>(schema: S, path: string, code: ErrorCode, label = path, opts: { missing?: ErrorCode; describe?: IssueFormatter } = {}): Promise<z.infer<S>> {
  let text: string;
  try {
    // Files of the tree can be edited by hand: a FIFO or a link to /dev/zero must not hang or
    // exhaust the reader.
    text = await readRegularFile(path);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' && opts.missing) throw new ClipmillError(opts.missing, `${label} is missing`, { cause: err, details: { file: label, errno } });
    throw new ClipmillError(errno === 'EINVAL' || errno === 'EFBIG' || errno === 'ELOOP' ? code : 'IO', `cannot read ${label}: ${(err as Error).message}`, { cause: err, details: { file: label, errno } });
  }
  return parseJson(schema, text, label, code, opts.describe);
}

/** Reads and validates a JSON file, or null when it is missing, unreadable or invalid. */
export async function readJsonOrNull<S extends z.ZodType>(schema: S, path: string): Promise<z.infer<S> | null> {
  try {
    return await readJson(schema, path, 'IO');
  } catch {
    return null;
  }
}

/** Validates, then writes atomically: what the farm writes always passes its own schema. */
export async function writeJson<S extends z.ZodType>(schema: S, path: string, value: z.input<S>): Promise<void> {
  await writeJsonAtomic(path, validate(schema, value, path, 'IO'));
}
