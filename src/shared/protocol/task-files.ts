// Reading and writing the files of a task folder that the protocol changes: metadata.json
// (attempts) and claim.json. Every read goes through the file's schema.
import { join } from 'node:path';
import { z } from 'zod';
import { ClipmillError, isClipmillError } from '../errors.js';
import { describeExpected, readJson, writeJson } from '../json.js';
import { METADATA_SCHEMA_VERSIONS, MetadataSchema, TASK_FILES, type TaskMetadata } from '../task.js';
import { ClaimSchema, type Claim } from './files.js';

/**
 * metadata.json of a task folder; TASK_INVALID when it is missing or invalid (the task's
 * fault), IO when it cannot be read. One written by a newer clipmill (a schema_version above
 * what this code reads) is TASK_NEWER_VERSION, not TASK_INVALID: it is not broken, this
 * worker is old (DESIGN §1 Schema versions).
 */
export async function readMetadata(dir: string): Promise<TaskMetadata> {
  const path = join(dir, TASK_FILES.metadata);
  try {
    return await readJson(MetadataSchema, path, 'TASK_INVALID', TASK_FILES.metadata, { missing: 'TASK_INVALID', describe: describeExpected });
  } catch (err) {
    if (!isClipmillError(err, 'TASK_INVALID') || err.details.field !== 'schema_version') throw err;
    const version = (await readJson(VersionSchema, path, 'TASK_INVALID').catch(() => null))?.schema_version;
    if (version === undefined || version <= METADATA_SCHEMA_VERSIONS.at(-1)!) throw err;
    throw new ClipmillError('TASK_NEWER_VERSION', `${TASK_FILES.metadata} is schema_version ${version}; this worker reads ${METADATA_SCHEMA_VERSIONS[0]} to ${METADATA_SCHEMA_VERSIONS.at(-1)}: it was written by a newer clipmill`, { details: { schema_version: version, stage: 'claim' } });
  }
}

/** Only the version of a metadata.json, whatever else it holds. */
const VersionSchema = z.looseObject({ schema_version: z.number() });

export async function writeMetadata(dir: string, meta: TaskMetadata): Promise<void> {
  await writeJson(MetadataSchema, join(dir, TASK_FILES.metadata), meta);
}

/**
 * The claim of a task folder, or null when there is none (being claimed right now) or it is not
 * a valid claim. A read that fails for the machine (EIO, ESTALE on a share) throws IO: it says
 * nothing about whose task this is.
 */
export async function readClaim(dir: string): Promise<Claim | null> {
  try {
    return await readJson(ClaimSchema, join(dir, TASK_FILES.claim), 'TASK_INVALID', TASK_FILES.claim);
  } catch (err) {
    if (isClipmillError(err, 'IO') && err.details.errno !== 'ENOENT') throw err;
    return null;
  }
}

export async function writeClaim(dir: string, claim: Claim): Promise<void> {
  await writeJson(ClaimSchema, join(dir, TASK_FILES.claim), claim);
}

/** Whether a claim is this very process's. */
export function isOwnClaim(claim: Claim | null, node: string, pid = process.pid): boolean {
  return claim !== null && claim.node === node && claim.pid === pid;
}
