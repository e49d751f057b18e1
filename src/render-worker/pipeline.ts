// The render pipeline (spec §7): while a task renders, the next one is claimed and downloaded
// (render.prefetch > 0) and the previous one uploaded. `once`: until no task is left; otherwise
// until `stop`, polling render.pollIntervalMs when idle. On `stop` nothing new is claimed; the
// render in progress gets render.shutdownGraceMs, then it and any task downloaded ahead are
// handed back.
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import { errorMessage } from '../shared/errors.js';
import { claimNext } from '../shared/protocol/claim.js';
import { assertOwnClaim } from '../shared/protocol/complete.js';
import { giveBackAttempts } from '../shared/protocol/give-back.js';
import { handBackDeadClaims } from '../shared/protocol/hand-back.js';
import { claimable, TaskIndex } from '../shared/protocol/queue.js';
import { processAlive } from '../shared/process.js';
import { Breaker } from '../shared/breaker.js';
import type { Job, TaskOutcome, WorkerEnv } from './job.js';
import { prepare } from './prepare.js';
import { renderJob } from './render.js';
import { cleanStaleScratch, diskOk } from './scratch.js';
import { cleanup, settle } from './settle.js';
import { uploadJob } from './upload.js';

export interface RunTotals {
  done: number;
  failed: number;
  /** Failures sent back to tasks/ with backoff (recoverable or resource, attempts left). */
  requeued: number;
  /** Whether the circuit breaker was open when the run ended. */
  breakerOpen: boolean;
  handedBack: number;
  /** Tasks left as they were because the lease or the claim was lost (another party owns them). */
  abandoned: number;
  /** Long tasks split into chunk tasks (docs/chunks.md). */
  split: number;
  lowDisk: boolean;
  /** Seconds spent rendering, and the wall time of the run: render_utilization = render / wall. */
  renderSeconds: number;
  wallSeconds: number;
}

/** What a killed worker of this node left: its tasks go back to tasks/, its scratch away. */
async function startUp(env: WorkerEnv): Promise<void> {
  const { log, layout, node, config } = env;
  for (const id of await handBackDeadClaims(layout, node, processAlive)) log.warn({ task: id }, `Task ${id} was claimed by a worker of ${node} that is gone; handed back to tasks/`);
  for (const p of await cleanStaleScratch(config, node)) log.info(`Removed the scratch folder ${p} of a render worker that is gone`);
}

/**
 * When the earliest task in backoff that this node may take becomes claimable (ms), or null when
 * there is none (tasks left to other nodes after a memory failure are not waited for).
 */
async function dueForMe(env: WorkerEnv): Promise<number | null> {
  const index = env.index;
  if (!index) return null;
  // Before deciding there is nothing left: tasks/ listed (a task just put back, maybe not yet reported by the watch).
  await index.refresh(true);
  let due: number | null = null;
  for (const e of index.list()) {
    if (env.skip.has(e.id) || !claimable({ ...e, notBeforeMs: 0 }, env.node, e.notBeforeMs)) continue;
    if (due === null || e.notBeforeMs < due) due = e.notBeforeMs;
  }
  return due;
}

/** A signal that aborts `render.shutdownGraceMs` after `stop` does: the render in progress gets the grace to finish. */
function graceSignal(env: WorkerEnv, stop: AbortSignal): AbortSignal {
  const hard = new AbortController();
  const onStop = () => {
    const grace = env.config.render.shutdownGraceMs;
    if (grace > 0) env.log.info(`Shutting down: no new claims; the render in progress has ${grace} ms to finish`);
    setTimeout(() => hard.abort(stop.reason), grace).unref();
  };
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  return hard.signal;
}

export async function runPipeline(env: WorkerEnv, stop: AbortSignal, once: boolean): Promise<RunTotals> {
  const { config, layout, node, log } = env;
  const totals: RunTotals = { done: 0, failed: 0, requeued: 0, breakerOpen: false, handedBack: 0, abandoned: 0, split: 0, lowDisk: false, renderSeconds: 0, wallSeconds: 0 };
  const t0 = performance.now();
  await startUp(env);
  const ownIndex = !env.index;
  env.index ??= await new TaskIndex(layout, { rescanMs: config.tasks.indexRescanMs }).open();
  const hard = graceSignal(env, stop);
  const hb = env.heartbeat;
  hb.start();
  stop.addEventListener('abort', () => (hb.state = 'stopping'), { once: true });
  const count = (o: TaskOutcome) => {
    if (o === 'done') totals.done++;
    else if (o === 'requeued') totals.requeued++;
    else if (o === 'handed_back') totals.handedBack++;
    else if (o === 'abandoned') totals.abandoned++;
    else if (o === 'split') totals.split++;
    else totals.failed++;
    // Neither a success nor a failure of this node: a half-open breaker tries another task.
    if (o === 'handed_back' || o === 'abandoned' || o === 'split') breaker.noTask();
    Object.assign(hb.counters, { done: totals.done, failed: totals.failed, requeued: totals.requeued, handed_back: totals.handedBack, abandoned: totals.abandoned } satisfies typeof hb.counters);
  };
  const breaker = new Breaker(config.render.breakerFailures, config.render.breakerCooldownMs);
  hb.breaker = () => breaker.state;
  env.onSettled = (job, _outcome, error) => {
    // A failure at the claim itself is the task file's, whichever node reads it: not counted
    // (a half-open breaker's trial slot is free again).
    if (error.details.stage === 'claim') return breaker.noTask();
    const opened = breaker.failure({ task: job.id, code: error.code, at: job.claimedAt ?? Date.now() }, Date.now());
    if (opened) void openBreaker();
  };
  const succeeded = () => {
    if (breaker.state !== 'closed') log.info(`Circuit breaker closed: task rendered after ${breaker.inARow} failure(s) in a row`);
    breaker.success();
  };
  // Serialized: the give-back of one opening finishes before the run goes on.
  let amends: Promise<void> = Promise.resolve();
  const openBreaker = () => {
    const { charged, since, codes } = breaker.takeRun();
    const until = new Date(breaker.reopensAt() ?? Date.now()).toISOString();
    log.error({ codes, code: 'BREAKER_OPEN' }, `Circuit breaker open: ${breaker.inARow} failures in a row (${codes.join(', ')}); ${node} claims nothing until ${until}, then tries one task`);
    amends = amends.then(async () => {
      try {
        const given = await giveBackAttempts(layout, node, charged, since - 1000);
        for (const g of given) log.warn({ task: g.id }, `Task ${g.id}: the attempts this node's failures charged are given back (${g.from === 'tasks' ? 'in tasks/' : 'back from trash/failed/'}, attempts now ${g.attempts}): the node was broken, not the task`);
      } catch (err) {
        log.error({ err }, `Could not give back the attempts of this node's failed tasks: ${errorMessage(err)}`);
      }
    });
    return amends;
  };
  // A task downloaded ahead that will not be rendered (shutdown): back as it is.
  const putBack = async (job: Job, why = 'shutting down') => count(await settle(env, { ...job, signal: AbortSignal.abort(why) }, new Error(why)));
  const uploads = new PQueue({ concurrency: 1 });
  const claimAndPrepare = async (ahead: boolean): Promise<Job | TaskOutcome | null> => {
    if (stop.aborted) return null;
    if (!(await diskOk(config, env.scratch, layout.root, log))) {
      totals.lowDisk = true;
      hb.state = 'low_disk';
      return null;
    }
    if (!breaker.allow(Date.now())) return null;
    const id = await claimNext(layout, node, env.skip, env.index, ahead);
    if (!id) {
      breaker.noTask();
      return null;
    }
    return prepare(env, id, hard);
  };
  const claimSafely = (ahead = false) => claimAndPrepare(ahead).catch((err: unknown) => (log.error({ err }, `Claim failed: ${errorMessage(err)}`), null));
  let next: Promise<Job | TaskOutcome | null> | null = null;
  for (;;) {
    const ahead = next !== null;
    let current = await (next ?? claimSafely());
    next = null;
    // The claim made ahead took nothing (the next task is a chunk task or a join, which only a
    // node free now takes): claim now, unless it stopped for low disk or an open breaker.
    if (current === null && ahead && hb.state !== 'low_disk' && breaker.state === 'closed') current = await claimSafely();
    if (current === null) {
      if (stop.aborted) break;
      if (once) {
        // An upload still running may publish a task (the join of a chunked task whose last chunk it is): wait for it, then look again.
        if (uploads.size + uploads.pending > 0) {
          await uploads.onIdle();
          continue;
        }
        // --once waits for tasks in backoff that it may take (not for an open breaker's cooldown).
        const due = breaker.state === 'open' || totals.lowDisk ? null : await dueForMe(env);
        if (due === null) break;
        await sleep(Math.max(50, Math.min(due - Date.now(), config.render.pollIntervalMs)), undefined, { signal: stop }).catch(() => {});
        continue;
      }
      if (hb.state !== 'low_disk' && hb.state !== 'stopping') hb.state = 'idle';
      if (!hb.current) void hb.beat();
      await sleep(config.render.pollIntervalMs, undefined, { signal: stop }).catch(() => {});
      continue;
    }
    if (typeof current === 'string') {
      count(current);
      continue;
    }
    const job: Job = current;
    // Downloaded ahead, but the shutdown, or the circuit breaker, came before its render
    // started: not started now (handed back, its attempt given back).
    if (stop.aborted || breaker.state === 'open') {
      await putBack(job, stop.aborted ? 'shutting down' : 'circuit breaker open');
      continue;
    }
    // Download the next task while this one renders.
    if (config.render.prefetch > 0) next = claimSafely(true);
    try {
      // A task downloaded ahead may have been lost meanwhile (its lease not refreshed in time,
      // recovered and claimed by another worker): render nothing this worker does not own.
      await assertOwnClaim(layout, job.id, node, job.lease);
      await renderJob(env, job);
      totals.renderSeconds += job.timings.render;
    } catch (err) {
      count(await settle(env, job, err));
      continue;
    }
    // Upload meanwhile; a lost lease still stops it, a shutdown does not (the work is done).
    void uploads
      .add(async () => {
        try {
          await uploadJob(env, job);
          await cleanup(env, job);
          succeeded();
          hb.finish({ at: Date.now(), render: job.timings.render, io: job.timings.download + job.timings.upload });
          count('done');
        } catch (err) {
          count(await settle(env, { ...job, signal: job.lease.signal }, err));
        }
      })
      // Nothing thrown here may end the process as an unhandled rejection.
      .catch((err: unknown) => log.error({ err, task: job.id }, `Could not settle task ${job.id}: ${errorMessage(err)}`));
    if (config.render.prefetch === 0) await uploads.onIdle();
  }
  const leftover = next as Promise<Job | TaskOutcome | null> | null;
  if (leftover) {
    const pending = await leftover;
    if (pending && typeof pending !== 'string') await putBack(pending);
    else if (pending) count(pending);
  }
  await uploads.onIdle();
  await amends;
  totals.breakerOpen = breaker.state === 'open';
  if (ownIndex) {
    env.index.close();
    delete env.index;
  }
  await hb.stop();
  // This process's scratch folder is its own (<node>-<pid>): nothing is left in it now.
  await rm(env.scratch, { recursive: true, force: true }).catch(() => {});
  totals.wallSeconds = (performance.now() - t0) / 1000;
  return totals;
}
