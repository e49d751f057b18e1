import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { classOf, ClipmillError, ERROR_CODES, isClipmillError, isRecoverable, subprocessError } from '../../src/shared/errors.js';
import { REPO } from '../helpers.js';

test('docs/errors.md documents every error code', async () => {
  const doc = await readFile(join(REPO, 'docs', 'errors.md'), 'utf8');
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.match(doc, new RegExp(`^### ${code}\n\nClass: ${info.class}\.$`, 'm'), `docs/errors.md lacks "### ${code}" followed by "Class: ${info.class}."`);
  }
});

test('every code has a class; foreign errors are the machine\'s (recoverable)', () => {
  for (const info of Object.values(ERROR_CODES)) assert.ok(['recoverable', 'fatal', 'resource'].includes(info.class));
  assert.equal(new ClipmillError('UNDECODABLE', 'x').errorClass, 'fatal');
  assert.equal(new ClipmillError('SUBPROCESS_FAILED', 'x').errorClass, 'recoverable');
  assert.equal(new ClipmillError('OUT_OF_MEMORY', 'x').errorClass, 'resource');
  assert.equal(classOf(new Error('EIO')), 'recoverable');
  assert.equal(isRecoverable(new ClipmillError('DUPLICATE', 'x')), false);
  assert.equal(isRecoverable(new ClipmillError('IO', 'x')), true);
});

test('subprocessError: killed, timed out, canceled or not started is SUBPROCESS_FAILED; a plain nonzero exit is not', () => {
  assert.equal(subprocessError('ffmpeg', { failed: false }), null);
  assert.equal(subprocessError('ffmpeg', { failed: true, exitCode: 1 }), null, 'a nonzero exit is the caller\'s to judge from the output');
  const killed = subprocessError('ffmpeg', { failed: true, signal: 'SIGKILL' }, { file: 'a.mp4' });
  assert.ok(isClipmillError(killed, 'SUBPROCESS_FAILED'));
  assert.equal(killed.message, 'ffmpeg killed by SIGKILL');
  assert.deepEqual(killed.details, { file: 'a.mp4' });
  assert.equal(subprocessError('ffprobe', { failed: true, timedOut: true })?.message, 'ffprobe timed out');
  assert.equal(subprocessError('ffprobe', { failed: true, isCanceled: true })?.details.canceled, true);
  assert.equal(subprocessError('ffprobe', { failed: true, exitCode: undefined })?.message, 'ffprobe could not be started');
});

test('errors carry a code, details and their cause', () => {
  const cause = new Error('EACCES');
  const err = new ClipmillError('IO', 'cannot write', { cause, details: { path: '/x' } });
  assert.equal(err.cause, cause);
  assert.deepEqual(err.details, { path: '/x' });
  assert.ok(isClipmillError(err, 'IO'));
  assert.equal(isClipmillError(err, 'USAGE'), false);
});

test('mayBlameInput: a tool failing on the same file may be blamed on it at last; a file system error never', async () => {
  const { mayBlameInput } = await import('../../src/shared/errors.js');
  assert.equal(mayBlameInput(new ClipmillError('SUBPROCESS_FAILED', 'x')), true);
  assert.equal(mayBlameInput(new ClipmillError('OUT_OF_MEMORY', 'x')), true);
  assert.equal(mayBlameInput(new ClipmillError('OUTPUT_INCOMPLETE', 'x')), true);
  assert.equal(mayBlameInput(new ClipmillError('IO', 'EIO')), false);
  assert.equal(mayBlameInput(new Error('ESTALE')), false);
});
