import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MainContext } from '../../src/main-worker/context.js';
import { MAX_ONCE_ROUNDS, onceLoop, type OnceHost } from '../../src/main-worker/once-loop.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { testConfig } from '../helpers.js';

/** A host whose scans report `settling[i]` files still changing and `changed[i]` files changed while checked. */
function setup(settling: number[], changed: boolean[] = []) {
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const ctx: MainContext = { config: testConfig({ ingest: { stableMs: 5 } }), layout: new Layout('/farm'), log, bins: null as never };
  const events: string[] = [];
  let scans = 0;
  let changedFlag = false;
  const host: OnceHost = {
    start: async () => void events.push('start'),
    scan: async () => {
      events.push('scan');
      changedFlag = changed[scans] ?? false;
      scans++;
    },
    idle: async () => void events.push('idle'),
    schedulePlan: () => void events.push('plan'),
    settling: () => settling[scans - 1] ?? 0,
    changed: () => changedFlag,
    resetChanged: () => void (changedFlag = false),
    nextDueIn: () => 1,
  };
  return { ctx, host, events, lines };
}

test('--once: one round when nothing settles, then a last plan', async () => {
  const s = setup([0]);
  await onceLoop(s.ctx, s.host);
  assert.deepEqual(s.events, ['start', 'scan', 'idle', 'plan', 'idle']);
});

test('--once: scans again while files settle or changed while checked', async () => {
  const s = setup([2, 0, 0], [false, true, false]);
  await onceLoop(s.ctx, s.host);
  assert.equal(s.events.filter((e) => e === 'scan').length, 3);
  assert.deepEqual(s.events.slice(-2), ['plan', 'idle']);
});

test('--once: a file still changing after MAX_ONCE_ROUNDS is left for the next run; an abort stops at once', async () => {
  const s = setup(Array.from({ length: 50 }, () => 1));
  await onceLoop(s.ctx, s.host);
  assert.equal(s.events.filter((e) => e === 'scan').length, MAX_ONCE_ROUNDS + 1);
  assert.match(s.lines.join(''), /1 file\(s\) in raw\/ are still changing; left for the next run/);

  const a = setup(Array.from({ length: 50 }, () => 1));
  const ac = new AbortController();
  ac.abort();
  await onceLoop(a.ctx, a.host, ac.signal);
  assert.equal(a.events.filter((e) => e === 'scan').length, 1);
});
