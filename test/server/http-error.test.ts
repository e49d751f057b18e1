import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, errorResponse } from '../../src/server/http-error.js';
import { ClipmillError } from '../../src/shared/errors.js';

test('errorResponse: API errors, catalog errors with their field, schema errors naming the field, and the rest as 500', () => {
  assert.deepEqual(errorResponse(new ApiError(409, 'EXISTS', 'there', 'file')), { status: 409, body: { code: 'EXISTS', message: 'there', field: 'file' } });
  assert.deepEqual(errorResponse(new ClipmillError('JOB_INVALID', 'bad', { details: { field: 'parts[0].clips' } })).body.field, 'parts[0].clips');
  assert.equal(errorResponse(new ClipmillError('USAGE', 'no')).status, 400);
  const v = Object.assign(new Error('x'), { validation: [{ instancePath: '/order/1', params: {}, message: 'must be >= 1' }], validationContext: 'body' });
  assert.deepEqual(errorResponse(v), { status: 400, body: { code: 'INVALID', message: 'body order[1]: must be >= 1', field: 'order[1]' } });
  const missing = Object.assign(new Error('x'), { validation: [{ instancePath: '', params: { missingProperty: 'name' }, message: "must have required property 'name'" }], validationContext: 'body' });
  assert.equal(errorResponse(missing).body.field, 'name');
  assert.equal(errorResponse(new Error('boom')).status, 500);
  // DUPLICATE (a rename that would replace) is a conflict; a full disk is 507; a 500 names no path.
  assert.equal(errorResponse(new ClipmillError('DUPLICATE', '/srv/x exists')).status, 409);
  const full = new ClipmillError('IO', 'cannot write /srv/root/raw/a: ENOSPC: no space left on device', { details: { path: '/srv/root/raw/a', errno: 'ENOSPC' } });
  assert.deepEqual(errorResponse(full), { status: 507, body: { code: 'NO_SPACE', message: 'the file system of the root is full (ENOSPC): nothing was written', field: null } });
  assert.equal(errorResponse(Object.assign(new Error("ENOSPC: no space left on device, write '/srv/x'"), { code: 'ENOSPC' })).status, 507);
  for (const e of [new Error("EACCES: permission denied, open '/srv/root/secret'"), new ClipmillError('IO', 'cannot read /srv/root/secret')]) {
    const r = errorResponse(e);
    assert.equal(r.status, 500);
    assert.doesNotMatch(r.body.message, /srv|secret|EACCES/);
  }
});
