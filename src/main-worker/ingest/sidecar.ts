// Raw sidecars (DESIGN §1): `<file>.json` beside a raw file says what the operator knows about
// it (tags, priority, transcript), one schema for every kind (RawSidecarSchema). A sidecar is
// taken with its file, in the same ingest: validated first (a bad one sends the file and the
// sidecar to trash/invalid together), its facts folded into the asset record written beside
// the scanned file, and the sidecar itself moved beside that file as
// `<scanned file>.sidecar.json`, as it came.
//
// Why both a record and the raw sidecar: the record is the farm's normalized view (tags
// lower-cased, kind facts added) that every reader uses; the raw sidecar is a raw file, and
// nothing that enters raw/ is ever deleted (DESIGN invariant 1), so it is kept — beside the
// file it describes, where an operator looks for it. It is moved after the file: a crash in
// between leaves it in raw/ without its file, and it goes to trash/invalid as an orphan with a
// reason, while its facts are already in the record (nothing lost, nothing taken twice). Moved
// before the file, a crash would leave the file in raw/ without its tags, to be filed untagged.
import { lstat } from 'node:fs/promises';
import { ClipmillError, errorMessage, type ErrorCode } from '../../shared/errors.js';
import { moveFile } from '../../shared/fs.js';
import { describeExpected, parseJson } from '../../shared/json.js';
import { RawSidecarSchema, type RawSidecar } from '../../shared/assets.js';
import { readRegularFile } from '../../shared/safe-files.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import { rejectFile } from './reject.js';

/** The raw sidecar kept beside its scanned file (or beside an original waiting for conversion). */
export const SIDECAR_COPY_SUFFIX = '.sidecar.json';

/** A sidecar is a few tags and a transcript: anything larger is not one. */
const MAX_SIDECAR_BYTES = 256 * 1024;

export interface Sidecar {
  /** Absolute path. */
  path: string;
  /** Relative to raw/. */
  rel: string;
  facts: RawSidecar;
  size: number;
  mtimeMs: number;
}

/** The sidecar names of a raw file (relative or absolute path): `<file>.json`, or `<file>.JSON`. */
export function sidecarNames(path: string): string[] {
  return [`${path}.json`, `${path}.JSON`];
}

/** The path of the file's sidecar when there is one (lstat: a link is found, and refused by readSidecar). */
export async function findSidecar(filePath: string): Promise<string | null> {
  for (const p of sidecarNames(filePath)) {
    try {
      await lstat(p);
      return p;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return null;
}

/**
 * Reads and validates the sidecar of `file`, or null when it has none. A sidecar that is not a
 * small regular file, not JSON, or fails the schema throws SIDECAR_INVALID naming the sidecar
 * and the field (`unknown key "tag"`, `tags must be a list of tags, got "spring"`).
 */
export async function readSidecar(file: RawFile): Promise<Sidecar | null> {
  const path = await findSidecar(file.path);
  if (!path) return null;
  const rel = `${file.rel}${path.slice(file.path.length)}`;
  const label = `raw/${rel}`;
  const st = await lstat(path);
  if (!st.isFile()) throw new ClipmillError('SIDECAR_INVALID', `${label} is not a regular file (a sidecar must be a JSON file, not a link or a folder)`, { details: { sidecar: label } });
  let text: string;
  try {
    text = await readRegularFile(path, MAX_SIDECAR_BYTES);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === 'EFBIG' || errno === 'EINVAL' || errno === 'ELOOP') throw new ClipmillError('SIDECAR_INVALID', `${label}: ${errorMessage(err)}`, { details: { sidecar: label } });
    throw err;
  }
  const facts = parseJson(RawSidecarSchema, text.replace(/^\ufeff/, ''), label, 'SIDECAR_INVALID', describeExpected);
  return { path, rel, facts, size: st.size, mtimeMs: st.mtimeMs };
}

/** Whether the sidecar is no longer what was read (rewritten, replaced or removed meanwhile). */
export async function sidecarChanged(s: Sidecar): Promise<boolean> {
  try {
    const st = await lstat(s.path);
    return st.size !== s.size || st.mtimeMs !== s.mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/** Moves a taken sidecar beside the file it describes, now in scanned/ (`filed`: that file's path). */
export async function fileSidecar(ctx: MainContext, s: Sidecar, filed: string): Promise<string> {
  const dest = `${filed}${SIDECAR_COPY_SUFFIX}`;
  await moveFile(s.path, dest);
  ctx.log.info({ file: `raw/${s.rel}` }, `Moved sidecar raw/${s.rel} → ${ctx.layout.rel(dest)}`);
  return dest;
}

/**
 * A file was rejected: its sidecar (if any) goes to trash/invalid beside it, with a reason that
 * says so; an invalid sidecar's own error is its reason. Never throws for a sidecar that
 * vanished meanwhile.
 */
export async function rejectSidecarOf(ctx: MainContext, file: RawFile, err: unknown): Promise<string | null> {
  const path = await findSidecar(file.path);
  if (!path) return null;
  const rel = `${file.rel}${path.slice(file.path.length)}`;
  const own = err instanceof ClipmillError && err.code === 'SIDECAR_INVALID';
  const code: ErrorCode = err instanceof ClipmillError ? err.code : 'IO';
  const why = own ? err : new ClipmillError(code, `its file raw/${file.rel} was rejected: ${errorMessage(err)}`, { details: { file: `raw/${file.rel}` } });
  try {
    return await rejectFile(ctx, path, rel, `raw/${rel}`, why);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * A stable sidecar whose file is not in raw/: it goes to trash/invalid (SIDECAR_ORPHAN). When
 * the file is there after all (it appeared since the scan), it is left to be taken with it.
 */
export async function ingestOrphanSidecar(ctx: MainContext, file: RawFile, of: string): Promise<{ status: 'skipped'; reason: string } | { status: 'rejected'; dest: string; code: ErrorCode }> {
  const ofPath = ctx.layout.abs(`raw/${of}`);
  try {
    await lstat(ofPath);
    return { status: 'skipped', reason: `it is the sidecar of raw/${of}, and is taken with it` };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const err = new ClipmillError('SIDECAR_ORPHAN', `raw/${file.rel} is the sidecar of raw/${of}, which is not in raw/ (gone, or filed before the sidecar arrived: a sidecar must be in place when its file is taken; drop the file and its sidecar again together)`, {
    details: { file: `raw/${of}` },
  });
  return { status: 'rejected', dest: await rejectFile(ctx, file.path, file.rel, `raw/${file.rel}`, err), code: err.code };
}
