// A short's task id and seed derive from its key only: the same short, the same task and plan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortSeed, shortTaskIdFor } from '../../../src/main-worker/shorts/short-source.js';
import { UUID_RE } from '../../../src/shared/layout.js';

test('shortTaskIdFor and shortSeed: stable, distinct per key', () => {
  assert.match(shortTaskIdFor('short/a/b.wav'), UUID_RE);
  assert.equal(shortTaskIdFor('short/a/b.wav'), shortTaskIdFor('short/a/b.wav'));
  assert.notEqual(shortTaskIdFor('short/a/b.wav'), shortTaskIdFor('job/b'));
  assert.equal(shortSeed('job/x'), shortSeed('job/x'));
  assert.notEqual(shortSeed('job/x'), shortSeed('job/y'));
  assert.ok(Number.isInteger(shortSeed('job/x')) && shortSeed('job/x') >= 0 && shortSeed('job/x') < 2 ** 32);
});
