// raw/job/<name>.json -> scanned/job/<name>.json, as it was dropped, once it passes the job
// schema (src/shared/job.ts); the planner reads it from there. A bad file is rejected with a
// reason naming the field (JOB_INVALID). Job names are taken once: scanned/ is immutable.
import { join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { exists, sameContent } from '../../shared/fs.js';
import { describeJobFile, parseJobFile } from '../../shared/job.js';
import { badFolderName } from '../../shared/layout.js';
import { cancelledJobsDir } from '../../shared/protocol/cancel.js';
import { readRegularFile } from '../../shared/safe-files.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';

/** A job file larger than this is not a recipe. */
export const MAX_JOB_BYTES = 1024 * 1024;

/** Where the job file goes once valid (scanned/job/<name>), with what it asks for (for the log). */
export async function validateJobFile(ctx: MainContext, file: RawFile, name: string): Promise<{ dest: string; summary: string }> {
  const why = badFolderName(name);
  if (why) throw new ClipmillError('RAW_BAD_NAME', why.replace('folder name', 'job file name'));
  let text: string;
  try {
    text = await readRegularFile(file.path, MAX_JOB_BYTES);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === 'EFBIG') throw new ClipmillError('JOB_INVALID', `raw/${file.rel} is larger than ${MAX_JOB_BYTES} bytes`, { cause: err, details: { file: `raw/${file.rel}`, field: null } });
    throw err;
  }
  const job = parseJobFile(text, `raw/${file.rel}`);
  const dest = join(ctx.layout.scannedJobs, name);
  // The same bytes: a run that stopped after filing it (moveFile completes the move).
  if ((await exists(dest)) && !(await sameContent(file.path, dest))) {
    throw new ClipmillError('DUPLICATE', `${ctx.layout.rel(dest)} already exists (job names are taken once: give a changed job a new name)`, { details: { destination: ctx.layout.rel(dest) } });
  }
  // A cancelled job (shared/protocol/cancel.ts) keeps its name: filing it again would plan it again.
  const cancelled = join(cancelledJobsDir(ctx.layout), name);
  if (await exists(cancelled)) throw new ClipmillError('DUPLICATE', `job ${name} was cancelled (${ctx.layout.rel(cancelled)}): job names are taken once, give it a new name`, { details: { destination: ctx.layout.rel(cancelled) } });
  return { dest, summary: `${job.template}: ${describeJobFile(job).summary}` };
}
