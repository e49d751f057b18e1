// Reading and writing the files of a task folder that the protocol changes: metadata.json
// (attempts) and claim.json. Every read goes through the file's schema.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipmillError } from '../errors.js';
import { readJsonOrNull, writeJson } from '../json.js';
import { MetadataSchema, parseMetadata, TASK_FILES, type TaskMetadata } from '../task.js';
import { ClaimSchema, type Claim } from './files.js';

/** metadata.json of a task folder; TASK_INVALID when it is missing or invalid (the task's fault), IO when it cannot be read. */
export async function readMetadata(dir: string): Promise<TaskMetadata> {
  const path = join(dir, TASK_FILES.metadata);
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new ClipmillError('TASK_INVALID', `${TASK_FILES.metadata} is missing`, { cause: err });
    throw new ClipmillError('IO', `cannot read ${TASK_FILES.metadata}: ${err.message}`, { cause: err });
  });
  return parseMetadata(text);
}

export async function writeMetadata(dir: string, meta: TaskMetadata): Promise<void> {
  await writeJson(MetadataSchema, join(dir, TASK_FILES.metadata), meta);
}

/** The claim of a task folder, or null when there is none (being claimed right now) or it is unreadable. */
export async function readClaim(dir: string): Promise<Claim | null> {
  return readJsonOrNull(ClaimSchema, join(dir, TASK_FILES.claim));
}

export async function writeClaim(dir: string, claim: Claim): Promise<void> {
  await writeJson(ClaimSchema, join(dir, TASK_FILES.claim), claim);
}

/** Whether a claim is this very process's. */
export function isOwnClaim(claim: Claim | null, node: string, pid = process.pid): boolean {
  return claim !== null && claim.node === node && claim.pid === pid;
}
