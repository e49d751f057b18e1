// The shorts' queue: one at a time, a short queued once however often it is offered, its last
// waiting reason reported by the next offer, another pass asked for only when it changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShortQueue } from '../../../src/main-worker/shorts/queue.js';
import { createLogger } from '../../../src/shared/log.js';

test('ShortQueue: once per key, last reasons, changed only when changed, stop', async () => {
  let passes = 0;
  const q = new ShortQueue(createLogger({ format: 'line', level: 'fatal' }), () => passes++);
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const waiting = new Map<string, string>();
  const work = async (found: Map<string, string>) => {
    runs++;
    await gate;
    found.set('a', 'no transcript');
    return runs === 1;
  };
  q.offer('short/a', 'a', waiting, work);
  q.offer('short/a', 'a', waiting, work);
  assert.equal(q.depth(), 1);
  release();
  await q.idle();
  assert.equal(runs, 1);
  assert.equal(passes, 1, 'it changed: another pass');
  q.offer('short/a', 'a', waiting, work);
  assert.equal(waiting.get('a'), 'no transcript');
  await q.idle();
  assert.equal(runs, 2);
  assert.equal(passes, 1, 'nothing changed: no pass');
  q.offer('short/b', 'b', waiting, async () => {
    throw new Error('boom');
  });
  await q.idle();
  q.stop();
  q.offer('short/c', 'c', waiting, work);
  assert.equal(q.depth(), 0);
});
