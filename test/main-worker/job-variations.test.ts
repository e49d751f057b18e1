// publishMissingVariations on a real ledger with callbacks that record what they are given:
// each missing variation planned with its derived seed, published and recorded once ever; the
// existing ones handed over first; a variation that cannot be planned stops the pass with its
// reason (without `existing`, the later ones are not even looked up); a task that appeared
// meanwhile is recorded but not counted; a pass aborted or thrown midway keeps what it recorded,
// and records nothing it did not publish.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { publishMissingVariations, type VariationsOfJob } from '../../src/main-worker/job-variations.js';
import { Ledger } from '../../src/main-worker/ledger.js';
import { emptyTotals } from '../../src/main-worker/metrics.js';
import { jobSeed, jobTaskIdFor } from '../../src/main-worker/write-job-task.js';
import { Layout } from '../../src/shared/layout.js';
import { createRng } from '../../src/shared/rng.js';
import { tempDir } from '../helpers.js';

async function env(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  await initRoot(dir);
  const layout = new Layout(dir);
  const deps = { ledger: new Ledger(layout), totals: emptyTotals(), metrics: null };
  const calls: string[] = [];
  const waiting = new Map<string, string>();
  /** Plans every variation but `refuse`; publish answers null for `taken`. */
  const job = (o: { refuse?: number; taken?: number } = {}): VariationsOfJob<number> => ({
    job: 'spring sale',
    source: 'src-1',
    variations: 3,
    waiting,
    label: 'spring sale (source a.mp4)',
    existing: async (id) => void calls.push(`existing ${id}`),
    plan: async (v, rng) => (v === o.refuse ? { ok: false, waiting: `no footage for ${v}` } : { ok: true, plan: rng() }),
    publish: async (x) => {
      calls.push(`publish ${x.variation} ${x.id} ${x.seed} ${x.plan}`);
      return x.variation === o.taken ? null : `tasks/${x.id}`;
    },
    created: (id, v, plan) => void calls.push(`created ${v} ${id} ${plan}`),
  });
  return { deps, calls, waiting, job, layout };
}

const id = (v: number) => jobTaskIdFor('spring sale', 'src-1', v);
const seed = (v: number) => jobSeed('spring sale', 'src-1', v);
const draw = (v: number) => createRng(seed(v))();

test('each missing variation: planned with its seed, published under its id, recorded; a second pass publishes nothing', async (t) => {
  const { deps, calls, waiting, job } = await env(t);
  assert.equal(await publishMissingVariations(deps, job({ taken: 2 })), 'published');
  assert.deepEqual(calls, [
    `publish 0 ${id(0)} ${seed(0)} ${draw(0)}`,
    `created 0 ${id(0)} ${draw(0)}`,
    `publish 1 ${id(1)} ${seed(1)} ${draw(1)}`,
    `created 1 ${id(1)} ${draw(1)}`,
    // A task with that id appeared meanwhile: recorded, not counted, not logged.
    `publish 2 ${id(2)} ${seed(2)} ${draw(2)}`,
  ]);
  assert.equal(deps.totals.tasksCreated, 2);
  assert.deepEqual(waiting, new Map());
  calls.length = 0;
  assert.equal(await publishMissingVariations(deps, job()), 'done');
  assert.deepEqual(calls, [0, 1, 2].map((v) => `existing ${id(v)}`));
});

test('a variation that cannot be planned: its reason under the label, the later ones not tried; the existing ones first', async (t) => {
  const { deps, calls, waiting, job } = await env(t);
  await deps.ledger.record({ task_id: id(0), job: 'spring sale', source: 'src-1', variation: 0, created_at: '2026-01-01T00:00:00Z' });
  assert.equal(await publishMissingVariations(deps, job({ refuse: 1 })), 'waiting');
  assert.deepEqual(calls, [`existing ${id(0)}`]);
  assert.deepEqual(waiting, new Map([['spring sale (source a.mp4)', 'no footage for 1']]));
  assert.equal(deps.totals.tasksCreated, 0);
  assert.equal(await publishMissingVariations(deps, job()), 'published');
  assert.deepEqual(calls.slice(-4), [`publish 1 ${id(1)} ${seed(1)} ${draw(1)}`, `created 1 ${id(1)} ${draw(1)}`, `publish 2 ${id(2)} ${seed(2)} ${draw(2)}`, `created 2 ${id(2)} ${draw(2)}`]);
});

test('an aborted pass plans nothing more', async (t) => {
  const { deps, calls, job } = await env(t);
  const ac = new AbortController();
  ac.abort();
  assert.equal(await publishMissingVariations(deps, job(), ac.signal), 'waiting');
  assert.deepEqual(calls, []);
});

/** Whether the ledger, read afresh from disk, has the variation (no task folder exists: the publishes are fake). */
async function inLedger(layout: Layout, v: number): Promise<boolean> {
  return new Ledger(layout).has(id(v), { job: 'spring sale', source: 'src-1', variation: v });
}

test('without `existing`: a pass that waits at variation 0 looks up that one only', async (t) => {
  const { deps, calls, waiting, job } = await env(t);
  const looked: string[] = [];
  const has = deps.ledger.has.bind(deps.ledger);
  deps.ledger.has = async (i, e) => (looked.push(i), has(i, e));
  const { existing: _e, ...lazy } = job({ refuse: 0 });
  assert.equal(await publishMissingVariations(deps, lazy), 'waiting');
  assert.deepEqual(looked, [id(0)]);
  assert.deepEqual(calls, []);
  assert.deepEqual(waiting, new Map([['spring sale (source a.mp4)', 'no footage for 0']]));
  // And one that has every variation: 'done', nothing planned.
  for (const v of [0, 1, 2]) await deps.ledger.record({ task_id: id(v), job: 'spring sale', source: 'src-1', variation: v, created_at: '2026-01-01T00:00:00Z' });
  assert.equal(await publishMissingVariations(deps, lazy), 'done');
  assert.deepEqual(calls, []);
});

test('aborted after the first publish: waiting, variation 0 recorded, variation 1 not planned', async (t) => {
  const { deps, calls, job, layout } = await env(t);
  const ac = new AbortController();
  const j = job();
  const planned: number[] = [];
  const r = await publishMissingVariations(deps, {
    ...j,
    plan: async (v, rng) => (planned.push(v), j.plan(v, rng)),
    publish: async (x) => {
      const out = await j.publish(x);
      ac.abort();
      return out;
    },
  }, ac.signal);
  assert.equal(r, 'waiting');
  assert.deepEqual(planned, [0]);
  assert.deepEqual(calls, [`publish 0 ${id(0)} ${seed(0)} ${draw(0)}`, `created 0 ${id(0)} ${draw(0)}`]);
  assert.deepEqual([await inLedger(layout, 0), await inLedger(layout, 1)], [true, false]);
});

for (const where of ['plan', 'publish'] as const) {
  test(`${where}() throwing at variation 1: the call rejects, variation 0 stays recorded, variation 1 is not in the ledger`, async (t) => {
    const { deps, job, layout } = await env(t);
    const j = job();
    const boom = (v: number) => {
      if (v === 1) throw new Error(`${where} failed`);
    };
    const failing: VariationsOfJob<number> = where === 'plan'
      ? { ...j, plan: async (v, rng) => (boom(v), j.plan(v, rng)) }
      : { ...j, publish: async (x) => (boom(x.variation), j.publish(x)) };
    await assert.rejects(publishMissingVariations(deps, failing), new RegExp(`${where} failed`));
    assert.deepEqual([await inLedger(layout, 0), await inLedger(layout, 1), await inLedger(layout, 2)], [true, false, false]);
    assert.equal(deps.totals.tasksCreated, 1);
  });
}
