// Publishing the missing variations of a job (for one of its sources): the ledger says which
// variations have a task already; each missing one is planned with the seed derived from (job,
// source, variation), published under the task id derived from the same, and recorded in the
// ledger. A pass that a crash interrupted, run again, publishes what is missing and nothing
// twice. The job planners (job-planning.ts, golden-frame-planning.ts) differ only in what they
// plan and write: their callbacks.
import { createRng, type Rng } from '../shared/rng.js';
import type { Ledger } from './ledger.js';
import type { MainMetrics, Totals } from './metrics.js';
import { jobSeed, jobTaskIdFor } from './write-job-task.js';

export interface VariationsOfJob<P> {
  /** The job file's name (without .json). */
  job: string;
  /** The source's id in task ids, seeds and the ledger (a video's id; GOLDEN_FRAME_SOURCE). */
  source: string;
  variations: number;
  /** Where the reason goes when a variation cannot be planned, and under which label. */
  waiting: Map<string, string>;
  label: string;
  /**
   * Called with the task id of each variation that has a task already, in order, before any is
   * planned. Given, it makes the pass look up every variation first; absent, each variation is
   * looked up when its turn comes.
   */
  existing?: (id: string) => Promise<void>;
  /** Plans one variation with its seed's draws: the plan, or why the job waits. */
  plan: (variation: number, rng: Rng) => Promise<{ ok: true; plan: P } | { ok: false; waiting: string }>;
  /** Publishes the task; returns its folder, or null when a task with that id appeared meanwhile. */
  publish: (task: { id: string; variation: number; seed: number; plan: P }) => Promise<string | null>;
  /** Logs a task published by this call. */
  created: (id: string, variation: number, plan: P) => void;
}

/**
 * 'done': every variation had a task already; 'published': the missing ones are published now;
 * either way every variation is in the ledger. 'waiting': one could not be planned (its reason
 * in `waiting`) and the later ones were not tried, or the signal aborted the pass.
 */
export type VariationsOutcome = 'done' | 'published' | 'waiting';

export async function publishMissingVariations<P>(
  deps: { ledger: Ledger; totals: Totals; metrics: MainMetrics | null },
  v: VariationsOfJob<P>,
  signal?: AbortSignal,
): Promise<VariationsOutcome> {
  const { ledger, totals, metrics } = deps;
  const idOf = (variation: number) => jobTaskIdFor(v.job, v.source, variation);
  const missing = async (variation: number) => !(await ledger.has(idOf(variation), { job: v.job, source: v.source, variation }));
  // With `existing`, every variation is looked up before any is planned (the caller needs the
  // existing ones first); without, each one when the loop reaches it, so that a pass that waits
  // at variation 0 costs one look-up, not one per variation (up to max_variations).
  let todo: Set<number> | null = null;
  if (v.existing) {
    todo = new Set();
    for (let variation = 0; variation < v.variations; variation++) {
      if (await missing(variation)) todo.add(variation);
      else await v.existing(idOf(variation));
    }
    if (!todo.size) return 'done';
  }
  let planned = 0;
  for (let variation = 0; variation < v.variations; variation++) {
    if (signal?.aborted) return 'waiting';
    if (todo ? !todo.has(variation) : !(await missing(variation))) continue;
    planned++;
    const id = idOf(variation);
    const seed = jobSeed(v.job, v.source, variation);
    const r = await v.plan(variation, createRng(seed));
    if (!r.ok) {
      v.waiting.set(v.label, r.waiting);
      return 'waiting';
    }
    // Published, then recorded: a crash between the two leaves a task the ledger finds (findTask).
    const published = await v.publish({ id, variation, seed, plan: r.plan });
    await ledger.record({ task_id: id, job: v.job, source: v.source, variation, created_at: new Date().toISOString() });
    if (!published) continue;
    totals.tasksCreated++;
    metrics?.tasks.inc();
    v.created(id, variation, r.plan);
  }
  return planned ? 'published' : 'done';
}
