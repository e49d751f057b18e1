// metadata.json and claim.json of a task folder, always through their schemas: a missing or bad
// metadata.json is the task's fault (TASK_INVALID), one that cannot be read is the machine's
// (IO); a claim that is not there or not valid reads as no claim.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import type { Claim } from '../../../src/shared/protocol/files.js';
import { isOwnClaim, readClaim, readMetadata, writeClaim, writeMetadata } from '../../../src/shared/protocol/task-files.js';
import type { TaskMetadata } from '../../../src/shared/task.js';
import { sampleMetadata } from '../../fixtures.js';
import { tempDir } from '../../helpers.js';

const CLAIM: Claim = { task_id: '0f8fad5b-d9cb-469f-a165-70867728950e', node: 'gpu-1', pid: 4242, claimed_at: '2026-11-22T00:00:00.000Z' };

test('readMetadata: a valid metadata.json as written; writeMetadata round-trips it', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(sampleMetadata()));
  assert.deepEqual(await readMetadata(dir), sampleMetadata());
  await writeMetadata(dir, sampleMetadata({ attempts: 2 }));
  assert.deepEqual(await readMetadata(dir), sampleMetadata({ attempts: 2 }));
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')), sampleMetadata({ attempts: 2 }));
  assert.deepEqual(await readdir(dir), ['metadata.json'], 'written atomically: no temporary left');
});

test('readMetadata: a missing metadata.json is TASK_INVALID', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(readMetadata(dir), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && err.message === 'metadata.json is missing' && (err.cause as NodeJS.ErrnoException).code === 'ENOENT');
  await assert.rejects(readMetadata(join(dir, 'no-such-task')), (err: unknown) => isClipmillError(err, 'TASK_INVALID'));
});

test('readMetadata: bad JSON and an invalid field are TASK_INVALID naming the file (and the field)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'metadata.json'), '{ "task_id": ');
  await assert.rejects(readMetadata(dir), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && /^metadata\.json is not valid JSON: /.test(err.message) && err.details.file === 'metadata.json');
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(sampleMetadata({ attempts: -1 })));
  await assert.rejects(readMetadata(dir), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && err.message === 'metadata.json: attempts must be an integer >= 0, got -1' && err.details.field === 'attempts');
  await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...sampleMetadata(), extra: 1 }));
  await assert.rejects(readMetadata(dir), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && /unknown key "extra"/.test(err.message));
});

test('readMetadata: a folder in its place is the task\'s fault (TASK_INVALID); a read the machine fails (ENOTDIR here, EIO on a share) is IO, the cause kept', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'metadata.json'));
  await assert.rejects(readMetadata(dir), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && /not a regular file/.test(err.message));
  // Through a file where a folder should be: ENOTDIR, which says nothing about the task.
  await writeFile(join(dir, 'file'), '');
  await assert.rejects(readMetadata(join(dir, 'file')), (err: unknown) => isClipmillError(err, 'IO') && /^cannot read metadata\.json: ENOTDIR/.test(err.message) && (err.cause as NodeJS.ErrnoException).code === 'ENOTDIR');
});

test('writeMetadata: invalid metadata is refused and the file on disk stays as it was', async (t) => {
  const dir = await tempDir(t);
  await writeMetadata(dir, sampleMetadata());
  const bad = { ...sampleMetadata(), video_files: [] } as TaskMetadata;
  await assert.rejects(writeMetadata(dir, bad), (err: unknown) => isClipmillError(err) && /video_files/.test(err.message));
  assert.deepEqual(await readMetadata(dir), sampleMetadata());
  assert.deepEqual(await readdir(dir), ['metadata.json']);
});

test('readClaim: the claim, or null when it is missing, not JSON or not a claim', async (t) => {
  const dir = await tempDir(t);
  assert.equal(await readClaim(dir), null, 'missing (being claimed right now)');
  assert.equal(await readClaim(join(dir, 'no-such-task')), null);
  await writeClaim(dir, CLAIM);
  assert.deepEqual(await readClaim(dir), CLAIM);
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'claim.json'), 'utf8')), CLAIM);
  for (const text of ['', '{"task_id":', JSON.stringify({ ...CLAIM, pid: '4242' }), JSON.stringify({ ...CLAIM, pid: 1.5 }), JSON.stringify({ ...CLAIM, node: '' }), JSON.stringify({ ...CLAIM, extra: true }), '[]', 'null']) {
    await writeFile(join(dir, 'claim.json'), text);
    assert.equal(await readClaim(dir), null, text);
  }
  await mkdir(join(dir, 'sub', 'claim.json'), { recursive: true });
  assert.equal(await readClaim(join(dir, 'sub')), null, 'unreadable');
});

test('writeClaim: an invalid claim is refused, nothing written', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(writeClaim(dir, { ...CLAIM, node: '' }), (err: unknown) => isClipmillError(err) && /node/.test(err.message));
  assert.deepEqual(await readdir(dir), []);
});

test('isOwnClaim: this node and this process only', () => {
  assert.equal(isOwnClaim(CLAIM, 'gpu-1', 4242), true);
  assert.equal(isOwnClaim(CLAIM, 'gpu-2', 4242), false, 'another node, same pid');
  assert.equal(isOwnClaim(CLAIM, 'gpu-1', 4243), false, 'this node, another process (a restarted worker)');
  assert.equal(isOwnClaim(null, 'gpu-1', 4242), false);
  assert.equal(isOwnClaim({ ...CLAIM, pid: process.pid }, 'gpu-1'), true, 'the pid defaults to this process');
  assert.equal(isOwnClaim(CLAIM, 'gpu-1'), process.pid === 4242);
});

test('task JSON files are untrusted: a FIFO metadata.json is TASK_INVALID at once, a FIFO claim.json no claim', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { rm } = await import('node:fs/promises');
  const { readClaim, readMetadata } = await import('../../../src/shared/protocol/task-files.js');
  const { isClipmillError } = await import('../../../src/shared/errors.js');
  const { rootWithTasks, ID } = await import('./fixture.js');
  const layout = await rootWithTasks(t, 1);
  const dir = layout.task(ID(1));
  await rm(`${dir}/metadata.json`);
  execFileSync('mkfifo', [`${dir}/metadata.json`, `${dir}/claim.json`]);
  await assert.rejects(readMetadata(dir), (e: unknown) => isClipmillError(e, 'TASK_INVALID'));
  assert.equal(await readClaim(dir), null);
});

test('readMetadata: a schema_version above what this code reads is TASK_NEWER_VERSION (an old worker, not a bad task); a bad version is TASK_INVALID', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...sampleMetadata(), schema_version: 4, a_field_of_version_4: true }));
  await assert.rejects(readMetadata(dir), (e: unknown) => isClipmillError(e, 'TASK_NEWER_VERSION') && e.errorClass === 'recoverable' && e.details.schema_version === 4 && /schema_version 4; this worker reads 1 to 3/.test(e.message));
  for (const bad of [0, 'two', null]) {
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...sampleMetadata(), schema_version: bad }));
    await assert.rejects(readMetadata(dir), (e: unknown) => isClipmillError(e, 'TASK_INVALID') && e.details.field === 'schema_version', String(bad));
  }
});
