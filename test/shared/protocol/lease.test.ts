import assert from 'node:assert/strict';
import { mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { exists } from '../../../src/shared/fs.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { acquireLease, breakLease, claimIsStale, takeStaleLease } from '../../../src/shared/protocol/lease.js';
import { ID, rootWithTasks } from './fixture.js';

test('a lease is one folder named by Layout; a live one cannot be taken, a stale one can', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  const lost: Error[] = [];
  const lease = await acquireLease(layout, id, { leaseUpdateMs: 1000, leaseStaleMs: 5000 }, (e) => lost.push(e));
  assert.ok(await exists(layout.leaseLock(id)));
  assert.equal(await claimIsStale(layout, id, 5000), false);
  assert.equal(await takeStaleLease(layout, id, 5000), null, 'alive: not taken');
  // Ten seconds without a refresh: stale, and a recoverer may take it.
  const old = new Date(Date.now() - 10_000);
  await utimes(layout.leaseLock(id), old, old);
  assert.equal(await claimIsStale(layout, id, 5000), true);
  const release = await takeStaleLease(layout, id, 5000);
  assert.ok(release, 'stale: taken');
  await release();
  await lease.release();
  await lease.release();
});

test('claimIsStale: a task published long ago is not stale the instant it is claimed, before its claim.json', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const old = new Date(Date.now() - 60_000);
  await utimes(layout.task(ID(1)), old, old);
  await rename(layout.task(ID(1)), layout.processingTask(ID(1)));
  assert.equal(await claimIsStale(layout, ID(1), 5000), false);
});

test('claimIsStale without a lease: the claim (or the folder) is judged by its age; breakLease removes the lease', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  const claim = join(layout.processingTask(id), 'claim.json');
  assert.equal(await claimIsStale(layout, id, 5000), false);
  const old = new Date(Date.now() - 10_000);
  await utimes(claim, old, old);
  assert.equal(await claimIsStale(layout, id, 5000), true);
  await writeFile(claim, '{}');
  assert.equal(await claimIsStale(layout, id, 5000), false);
  await mkdir(layout.leaseLock(id));
  await breakLease(layout, id);
  assert.equal(await exists(layout.leaseLock(id)), false);
});

test('abandon() stops refreshing without removing the lock folder, which may be the new owner\'s lease', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  const lease = await acquireLease(layout, id, { leaseUpdateMs: 1000, leaseStaleMs: 5000 }, () => {});
  // Our lease went stale and another worker's took its place.
  await breakLease(layout, id);
  await mkdir(layout.leaseLock(id));
  await lease.abandon();
  assert.ok(await exists(layout.leaseLock(id)), 'the new owner\'s lease is kept');
  await lease.release();
  assert.ok(await exists(layout.leaseLock(id)), 'a release after abandon does nothing');
});

test('a recoverer\'s lease that is taken from it does not throw out of a timer', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  const release = await takeStaleLease(layout, id, 200);
  assert.ok(release);
  await breakLease(layout, id);
  // proper-lockfile refreshes every stale / 2: it finds the lock gone; an uncaught throw would end this test process.
  await new Promise((r) => setTimeout(r, 500));
  await release();
});
