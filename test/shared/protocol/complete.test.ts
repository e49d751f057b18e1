import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { publishOutput } from '../../../src/shared/protocol/complete.js';
import type { Lease } from '../../../src/shared/protocol/lease.js';
import { visible } from '../../helpers.js';
import { rootWithTasks } from './fixture.js';

const liveLease: Lease = { signal: new AbortController().signal, release: async () => {}, abandon: async () => {} };

test('publishOutput: only the holder of the claim publishes, in one rename', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  await assert.rejects(publishOutput(layout, id, 'n2', liveLease), (e: unknown) => isClipmillError(e, 'CLAIM_LOST'), 'another node');
  const lost = new AbortController();
  lost.abort(new Error('compromised'));
  await assert.rejects(publishOutput(layout, id, 'n1', { ...liveLease, signal: lost.signal }), (e: unknown) => isClipmillError(e, 'CLAIM_LOST'), 'lease lost');
  // Recovered and claimed again by another worker while this one was frozen.
  await writeFile(join(layout.processingTask(id), 'claim.json'), JSON.stringify({ task_id: id, node: 'n1', pid: process.pid + 1, claimed_at: new Date().toISOString() }));
  await assert.rejects(publishOutput(layout, id, 'n1', liveLease), (e: unknown) => isClipmillError(e, 'CLAIM_LOST'), 'another process of the same node');
  assert.deepEqual(await visible(layout.output), []);
  await writeFile(join(layout.processingTask(id), 'claim.json'), JSON.stringify({ task_id: id, node: 'n1', pid: process.pid, claimed_at: new Date().toISOString() }));
  await mkdir(layout.outputTask(id));
  await writeFile(join(layout.outputTask(id), 'final.mp4'), 'earlier');
  await assert.rejects(publishOutput(layout, id, 'n1', liveLease), (e: unknown) => isClipmillError(e, 'UPLOAD_FAILED'), 'never replaces an output');
  await (await import('node:fs/promises')).rm(layout.outputTask(id), { recursive: true });
  assert.equal(await publishOutput(layout, id, 'n1', liveLease), layout.outputTask(id));
  assert.deepEqual(await visible(layout.output), [id]);
  assert.deepEqual(await visible(layout.processing), []);
});
