// Rejects go to trash/invalid/<same relative path as under raw/>, beside <name>.reason.json.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ClipmillError, errorMessage, type ErrorCode } from '../../shared/errors.js';
import { freeName, moveFile } from '../../shared/fs.js';
import { ReasonFileSchema, reasonFileName, type ReasonFile } from '../../shared/ingest-files.js';
import { writeJson } from '../../shared/json.js';
import type { MainContext } from '../context.js';

/** <name>.reason.json (schema in shared/ingest-files.ts: `clipmill status` reads it too). */
export type RejectReason = ReasonFile;

const isFacts = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Moves `path` to trash/invalid/<trashRel> (a free name beside it when taken) with its reason.
 * `rawPath` is where the file came from ("raw/video/…"), for the reason file and the log.
 */
export async function rejectFile(ctx: MainContext, path: string, trashRel: string, rawPath: string, err: unknown): Promise<string> {
  const code: ErrorCode = err instanceof ClipmillError ? err.code : 'IO';
  const details = err instanceof ClipmillError ? err.details : {};
  const dir = join(ctx.layout.trashInvalid, dirname(trashRel));
  await mkdir(dir, { recursive: true });
  // Both the file's name and its reason's name must be free: an operator's own file called
  // "x.mp4.reason.json" is never overwritten. A reason written before a crash, without its
  // file, makes the next try pick the following name; the orphan reason stays (harmless).
  const name = await freeName(dir, trashRel.split('/').pop()!, [reasonFileName]);
  const reason: RejectReason = {
    code,
    ...(reasonFileName(name) === `${name}.reason.json` ? {} : { file_name: name }),
    message: errorMessage(err),
    raw_path: rawPath,
    rejected_at: new Date().toISOString(),
    probe: isFacts(details.probe) ? details.probe : null,
    details: Object.fromEntries(Object.entries(details).filter(([k]) => k !== 'probe')),
  };
  // Reason first, then the file: a crash in between leaves the file where it was, to be retried.
  await writeJson(ReasonFileSchema, join(dir, reasonFileName(name)), reason);
  const dest = join(dir, name);
  await moveFile(path, dest);
  ctx.log.warn({ file: rawPath, code }, `Rejected file ${rawPath} → ${ctx.layout.rel(dest)}: ${reason.message}`);
  return dest;
}
