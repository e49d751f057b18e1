import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { attemptsUsedByDeadClaim, mayAttempt, startAttempt } from '../../../src/shared/protocol/attempts.js';
import { ID, rootWithTasks } from './fixture.js';

test('one attempts rule: a task that has used maxAttempts gets no further attempt', () => {
  assert.equal(mayAttempt(0, 3), true);
  assert.equal(mayAttempt(2, 3), true);
  assert.equal(mayAttempt(3, 3), false);
  assert.equal(mayAttempt(4, 3), false);
  assert.equal(attemptsUsedByDeadClaim(0), 1, 'a worker that died before counting still used one');
  assert.equal(attemptsUsedByDeadClaim(2), 2);
});

test('startAttempt counts the attempt in metadata.json, and refuses one past maxAttempts', async (t) => {
  const layout = await rootWithTasks(t, 2);
  const dir = layout.task(ID(1));
  assert.equal((await startAttempt(dir, 2)).attempts, 1);
  assert.equal((await startAttempt(dir, 2)).attempts, 2);
  await assert.rejects(startAttempt(dir, 2), (err: unknown) => isClipmillError(err, 'TOO_MANY_ATTEMPTS') && err.details.attempts === 3);
  assert.equal((JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as { attempts: number }).attempts, 3, 'the refused attempt is recorded too');
  await writeFile(join(layout.task(ID(2)), 'metadata.json'), '{"schema_version": 1, "attempts": "x"}');
  await assert.rejects(startAttempt(layout.task(ID(2)), 2), (err: unknown) => isClipmillError(err, 'TASK_INVALID'));
});
