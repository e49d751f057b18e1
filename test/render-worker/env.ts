// A render worker's environment over a temp root with published tasks, for the stage modules' unit tests.
import { join } from 'node:path';
import type { DeepPartial, Config } from '../../src/shared/config.js';
import { encoderSpec } from '../../src/shared/media/encoders.js';
import { plainCopy } from '../../src/render-worker/download.js';
import { Heartbeat } from '../../src/render-worker/heartbeat.js';
import type { Job, WorkerEnv } from '../../src/render-worker/job.js';
import { acquireLease } from '../../src/shared/protocol/lease.js';
import { binaries, testConfig } from '../helpers.js';
import { quietLog, rootWithTasks } from '../shared/protocol/fixture.js';

export async function workerEnv(t: Parameters<typeof rootWithTasks>[0], tasks: number, over: DeepPartial<Config> = {}): Promise<WorkerEnv> {
  const layout = await rootWithTasks(t, tasks);
  const config = testConfig({ render: { scratchDir: join(layout.root, '.scratch-base') }, disk: { minFreeMb: 0 }, ...over });
  const scratch = join(layout.root, '.scratch-base', 'n1-1');
  return { config, layout, log: quietLog, bins: await binaries(), encoder: encoderSpec('libx264', config), node: 'n1', heartbeat: new Heartbeat(layout, 'n1', 'libx264', scratch, 60_000), scratch, copy: plainCopy, skip: new Set() };
}

/** A Job for a task already claimed (processing/<id>) with a fresh lease. */
export async function jobFor(env: WorkerEnv, id: string, signal?: AbortSignal): Promise<Job> {
  const lease = await acquireLease(env.layout, id, env.config.health, () => {});
  return {
    id,
    log: env.log,
    dir: env.layout.processingTask(id),
    scratch: join(env.scratch, id),
    lease,
    signal: signal ?? lease.signal,
    meta: null,
    started: performance.now(),
    inputs: null,
    encoderUsed: 'libx264',
    fallback: null,
    verification: null,
    timings: { download: 0, render: 0, verify: 0, upload: 0 },
  };
}
