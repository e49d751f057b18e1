import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedLock } from '../../src/main-worker/keyed-lock.js';

test('KeyedLock: one run at a time per key, in order, failures included; other keys run alongside; keys are forgotten when done', async () => {
  const lock = new KeyedLock();
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a1 = lock.run('a', async () => {
    events.push('a1 start');
    await gate;
    events.push('a1 end');
    throw new Error('a1 failed');
  });
  const a2 = lock.run('a', async () => {
    events.push('a2');
    return 2;
  });
  const b = lock.run('b', async () => {
    events.push('b');
    return 'b';
  });
  assert.equal(await b, 'b');
  assert.deepEqual(events, ['a1 start', 'b'], 'b does not wait for a; a2 waits for a1');
  release();
  await assert.rejects(a1, /a1 failed/);
  assert.equal(await a2, 2);
  assert.deepEqual(events, ['a1 start', 'b', 'a1 end', 'a2']);
  assert.equal(lock.size, 0);
});
