import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ClipmillError, ERROR_CODES, isClipmillError } from '../../src/shared/errors.js';
import { REPO } from '../helpers.js';

test('docs/errors.md documents every error code', async () => {
  const doc = await readFile(join(REPO, 'docs', 'errors.md'), 'utf8');
  for (const code of Object.keys(ERROR_CODES)) assert.match(doc, new RegExp(`^### ${code}$`, 'm'), `docs/errors.md lacks "### ${code}"`);
});

test('errors carry a code, details and their cause', () => {
  const cause = new Error('EACCES');
  const err = new ClipmillError('IO', 'cannot write', { cause, details: { path: '/x' } });
  assert.equal(err.cause, cause);
  assert.deepEqual(err.details, { path: '/x' });
  assert.ok(isClipmillError(err, 'IO'));
  assert.equal(isClipmillError(err, 'USAGE'), false);
});
