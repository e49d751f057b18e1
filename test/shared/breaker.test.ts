// The circuit breaker's state machine (pure; the clock is given). The breaker in a running
// worker: test/render-worker/queue.test.ts and test/e2e/queue.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Breaker } from '../../src/shared/breaker.js';

test('Breaker: opens after N failures in a row, half-open after the cooldown lets one task through, closes on success', () => {
  const b = new Breaker(2, 1000);
  assert.equal(b.allow(0), true);
  assert.equal(b.failure({ task: 'a', code: 'X', at: 0 }, 0), false);
  b.success();
  assert.equal(b.failure({ task: 'a', code: 'X', at: 1 }, 1), false, 'a success resets the run');
  assert.equal(b.failure({ task: 'b', code: 'Y', at: 2 }, 2), true);
  assert.deepEqual([b.state, b.allow(500), b.reopensAt()], ['open', false, 1002]);
  assert.deepEqual(b.takeRun(), { charged: new Map([['a', 1], ['b', 1]]), since: 1, codes: ['X', 'Y'] });
  assert.equal(b.allow(1002), true, 'half-open: one task');
  assert.equal(b.state, 'half_open');
  assert.equal(b.allow(1003), false, 'only one');
  assert.equal(b.failure({ task: 'c', code: 'Z', at: 1003 }, 1004), true, 'a failed trial opens it again');
  assert.equal(b.allow(2004), true);
  b.success();
  assert.deepEqual([b.state, b.allow(2005), b.allow(2005)], ['closed', true, true]);
});


test('Breaker: a claim that finds no task frees the half-open slot', () => {
  const b = new Breaker(1, 10);
  b.failure({ task: 'a', code: 'X', at: 0 }, 0);
  assert.equal(b.allow(10), true);
  b.noTask();
  assert.equal(b.allow(11), true, 'the trial is still to come');
});
