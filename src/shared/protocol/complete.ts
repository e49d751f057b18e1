// Publishing a finished task (DESIGN invariants 2 and 4): one rename of the whole folder from
// processing/<id> to output/<id>, so that final.mp4, report.json and the task's own files
// appear at once. Only the holder of the claim publishes.
import { rename } from 'node:fs/promises';
import { ClipmillError } from '../errors.js';
import { exists } from '../fs.js';
import type { Layout } from '../layout.js';
import type { Lease } from './lease.js';
import { isOwnClaim, readClaim } from './task-files.js';

/** Throws CLAIM_LOST when the task is no longer this worker's (its lease lost, or its claim taken over). */
export async function assertOwnClaim(layout: Layout, id: string, node: string, lease: Lease): Promise<void> {
  if (lease.signal.aborted) throw new ClipmillError('CLAIM_LOST', `the lease on task ${id} was lost`, { cause: lease.signal.reason });
  // A worker frozen past its lease (suspended VM, swap storm) may resume here after its task
  // was recovered and claimed again: act only on what is still this worker's claim.
  const claim = await readClaim(layout.processingTask(id));
  if (!isOwnClaim(claim, node)) throw new ClipmillError('CLAIM_LOST', `the claim of task ${id} is no longer this worker's (now ${claim?.node ?? 'none'} pid ${claim?.pid ?? '-'})`);
}

/** processing/<id> → output/<id>, by the holder of the claim. */
export async function publishOutput(layout: Layout, id: string, node: string, lease: Lease): Promise<string> {
  await assertOwnClaim(layout, id, node, lease);
  const dest = layout.outputTask(id);
  if (await exists(dest)) throw new ClipmillError('UPLOAD_FAILED', `output/${id} already exists`, { details: { stage: 'publish' } });
  await rename(layout.processingTask(id), dest);
  return dest;
}
