// What the render worker's stages share: the context a worker runs in, a claimed task on its
// way through the stages (Job), and how a stage reports a failure (a catalog error with the
// stage and, when ffmpeg ran, its stderr tail in the details).
import type { Config } from '../shared/config.js';
import { ClipmillError, type ErrorCode } from '../shared/errors.js';
import type { Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import type { EncoderSpec } from '../shared/media/encoders.js';
import type { Binaries } from '../shared/media/ffmpeg.js';
import type { TaskStage } from '../shared/protocol/files.js';
import type { Lease } from '../shared/protocol/lease.js';
import type { Reduction } from '../shared/protocol/backoff.js';
import type { TaskIndex } from '../shared/protocol/queue.js';
import type { JoinField, TaskMetadata } from '../shared/task.js';
import type { CopyFn } from './download.js';
import type { Heartbeat } from './heartbeat.js';
import type { RenderInputs } from './download.js';
import type { Verification } from '../shared/timeline/verify.js';

export interface RenderContext {
  config: Config;
  layout: Layout;
  log: Logger;
  bins: Binaries;
  encoder: EncoderSpec;
  node: string;
  /** How inputs are downloaded and outputs uploaded (benchmarks throttle it). */
  copy?: CopyFn;
}

/** A worker's context plus what its stages share: its heartbeat, its scratch folder, its copy function. */
export interface WorkerEnv extends RenderContext {
  heartbeat: Heartbeat;
  scratch: string;
  copy: CopyFn;
  /** Tasks this worker does not claim again (written by a newer clipmill). */
  skip: Set<string>;
  /** The worker's index of waiting tasks; absent: tasks/ is listed at each claim. */
  index?: TaskIndex;
  /** Told of every task that failed after its claim (requeued or failed): the circuit breaker's input. */
  onSettled?: (job: Job, outcome: 'requeued' | 'failed', error: ClipmillError) => void;
}

/**
 * How a task left this worker: published, failed into trash/failed, requeued (back to tasks/
 * with backoff after a recoverable or resource failure), handed back to tasks/ (shutdown), abandoned (the lease or the claim was lost: another party owns it now),
 * or split into chunk tasks (docs/chunks.md: it waits in chunks/<id>/join/).
 */
export type TaskOutcome = 'done' | 'failed' | 'requeued' | 'handed_back' | 'abandoned' | 'split';

/** A claimed task on its way through the stages. */
export interface Job {
  id: string;
  log: Logger;
  dir: string;
  scratch: string;
  lease: Lease;
  /** Aborted by a shutdown past its grace, or by losing the lease. */
  signal: AbortSignal;
  meta: TaskMetadata | null;
  started: number;
  inputs: RenderInputs | null;
  encoderUsed: string;
  fallback: { from: string; reason: string } | null;
  verification: Omit<Verification, 'info'> | null;
  timings: { download: number; render: number; verify: number; upload: number };
  /** Wall-clock time of the claim (ms). */
  claimedAt?: number;
  /** What this render reduced to fit (the last attempt after a memory failure renders a draft). */
  reduced?: Reduction | null;
  /** Whether a draft preview was published to previews/<id>/ before the final render. */
  preview?: boolean;
  /** The final's poster.jpg in scratch, uploaded beside final.mp4. */
  poster?: string;
  /** A chunked task whose chunks are all done: its plan; the render is the join (docs/chunks.md). */
  join?: JoinField;
}

/** A failure at a stage: its code, where, and ffmpeg's stderr tail when it ran. */
export function stageError(code: ErrorCode, stage: TaskStage, message: string, extra: { stderr?: string; details?: Record<string, unknown>; cause?: unknown } = {}): ClipmillError {
  return new ClipmillError(code, message, {
    ...(extra.cause === undefined ? {} : { cause: extra.cause }),
    details: { ...extra.details, stage, ...(extra.stderr ? { stderr: extra.stderr } : {}) },
  });
}

/** Shows the task's stage in the heartbeat. The task being rendered wins; a download ahead shows only when idle. */
export function showStage(env: WorkerEnv, task: string, stage: 'download' | 'render' | 'upload'): void {
  const hb = env.heartbeat;
  if (stage !== 'render' && hb.current?.stage === 'render') return;
  hb.state = hb.state === 'stopping' ? 'stopping' : 'working';
  hb.current = { task, stage, progress: 0, since: new Date().toISOString() };
}

/** The error with `stage` recorded, unless it already names one. */
export function atStage(err: unknown, stage: TaskStage): unknown {
  if (!(err instanceof ClipmillError) || err.details.stage !== undefined) return err;
  return new ClipmillError(err.code, err.message, { cause: err.cause, details: { ...err.details, stage } });
}
