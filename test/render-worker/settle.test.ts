import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { prepare } from '../../src/render-worker/prepare.js';
import { settle } from '../../src/render-worker/settle.js';
import { ClipmillError } from '../../src/shared/errors.js';
import { exists } from '../../src/shared/fs.js';
import { claimNext } from '../../src/shared/protocol/claim.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import { visible } from '../helpers.js';
import { jobFor, workerEnv } from './env.js';

test('settle: a failure goes to trash/failed with its code and stage; the lease and scratch are released', async (t) => {
  const env = await workerEnv(t, 1);
  const id = (await claimNext(env.layout, env.node))!;
  const job = await jobFor(env, id);
  job.meta = { ...(await readMetadata(job.dir)), attempts: 1 };
  const outcome = await settle(env, job, new ClipmillError('VERIFY_FAILED', 'duration: expected 2 s, got 1 s', { details: { stage: 'verify' } }));
  assert.equal(outcome, 'failed');
  const error = JSON.parse(await readFile(join(env.layout.failedTask(id), 'error.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual([error.code, error.class, error.stage, error.attempts, error.node, error.encoder], ['VERIFY_FAILED', 'fatal', 'verify', 1, 'n1', 'libx264']);
  assert.equal(await exists(env.layout.leaseLock(id)), false);
});

test('settle: shutting down hands the task back with its attempt given back; a lost lease abandons it untouched', async (t) => {
  const env = await workerEnv(t, 2);
  const a = (await claimNext(env.layout, env.node))!;
  const stopped = await jobFor(env, a, AbortSignal.abort());
  stopped.meta = { ...(await readMetadata(stopped.dir)), attempts: 1 };
  assert.equal(await settle(env, stopped, new ClipmillError('RENDER_CANCELED', 'render canceled')), 'handed_back');
  assert.equal((await readMetadata(env.layout.task(a))).attempts, 0);
  const b = (await claimNext(env.layout, env.node))!;
  const lost = await jobFor(env, b);
  const aborted = new AbortController();
  aborted.abort(new Error('compromised'));
  assert.equal(await settle(env, { ...lost, lease: { ...lost.lease, signal: aborted.signal } }, new Error('whatever')), 'abandoned');
  assert.ok((await visible(env.layout.processing)).includes(b), 'left exactly where it was');
  await lost.lease.release();
});

test('settle: a task written by a newer clipmill is handed back untouched and not claimed again by this worker', async (t) => {
  const env = await workerEnv(t, 1);
  const id = (await claimNext(env.layout, env.node))!;
  const dir = env.layout.processingTask(id);
  const newer = JSON.stringify({ ...JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')), schema_version: 4 });
  await writeFile(join(dir, 'metadata.json'), newer);
  // Through the worker's first stage: the version is found when the attempt is counted.
  assert.equal(await prepare(env, id), 'handed_back');
  assert.equal(await readFile(join(env.layout.task(id), 'metadata.json'), 'utf8'), newer, 'metadata.json as the newer version wrote it');
  assert.equal(await exists(join(env.layout.task(id), 'claim.json')), false);
  assert.equal(await exists(env.layout.leaseLock(id)), false);
  assert.deepEqual([...env.skip], [id]);
  assert.equal(await claimNext(env.layout, env.node, env.skip), null, 'this worker leaves it to an upgraded one');
  assert.equal(await claimNext(env.layout, 'n2'), id, 'another worker may take it');
});
