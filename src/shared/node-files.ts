// The files of nodes/: every render worker's heartbeat (nodes/<node>.json) and the main
// worker's status (nodes/main-worker.json). Written by the daemons, read by `clipmill status`,
// the main worker's health check and the dashboard; one schema each, types inferred.
import { z } from 'zod';

const isoTime = z.string().min(1);
const nullableNumber = z.number().nullable();

export const WORKER_STATES = ['starting', 'idle', 'working', 'low_disk', 'stopping', 'stopped', 'dead'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];

/** The spec's §10 metrics over the last hour. */
export const RenderMetricsSchema = z.strictObject({
  /** % of the window's wall time spent rendering. */
  render_utilization: z.number(),
  /** Mean render seconds per task in the window. */
  avg_render_time: nullableNumber,
  /** Tasks completed per hour, over the window. */
  task_throughput: z.number(),
  /** Mean download + upload seconds per task in the window. */
  io_overhead: nullableNumber,
  window_s: z.number(),
});
export type RenderMetrics = z.infer<typeof RenderMetricsSchema>;

export const HeartbeatSchema = z.strictObject({
  node: z.string().min(1),
  host: z.string(),
  pid: z.number().int(),
  state: z.enum(WORKER_STATES),
  current: z
    .strictObject({
      task: z.string(),
      stage: z.enum(['download', 'render', 'upload']),
      progress: z.number().min(0).max(1),
      since: isoTime,
    })
    .nullable(),
  encoder: z.string(),
  counters: z.record(z.string(), z.number().int().min(0)),
  /** The render worker's circuit breaker: "open" while it claims nothing after failures in a row, "half-open" while one task is let through. Absent in heartbeats of older workers. */
  breaker: z.enum(['closed', 'open', 'half-open']).optional(),
  metrics: RenderMetricsSchema,
  started_at: isoTime,
  updated_at: isoTime,
  heartbeat_ms: z.number().int().min(1),
  free_disk_bytes: z.strictObject({ scratch: nullableNumber, root: nullableNumber }).optional(),
  /** Set by the main worker's health check when the heartbeat went silent. */
  marked_dead_at: isoTime.optional(),
});
export type HeartbeatFile = z.infer<typeof HeartbeatSchema>;

export const WaitingVoiceSchema = z.strictObject({ voice: z.string(), reason: z.string(), since: isoTime });
/** A job (or one source of it) waiting for assets: `job` is its name, with ` (source <path>)` for one source. */
export const WaitingJobSchema = z.strictObject({ job: z.string(), reason: z.string(), since: isoTime });

/** A raw file the main worker gave up on for now: it kept failing (not as the file's fault) past every retry. */
export const StuckFileSchema = z.strictObject({ file: z.string(), code: z.string(), message: z.string(), tries: z.number().int().min(1), since: isoTime });
export type StuckFile = z.infer<typeof StuckFileSchema>;

export const MainWorkerStatusSchema = z.strictObject({
  host: z.string(),
  pid: z.number().int(),
  started_at: isoTime,
  updated_at: isoTime.optional(),
  totals: z.record(z.string(), z.number()).optional(),
  waiting: z.array(WaitingVoiceSchema).optional(),
  waiting_jobs: z.array(WaitingJobSchema).optional(),
  /** Raw files left in raw/ that kept failing: reported here once instead of on every scan. */
  stuck: z.array(StuckFileSchema).optional(),
  /** The shorts pipeline's providers (docs/shorts.md) and their circuit breakers. */
  providers: z.array(z.strictObject({ provider: z.string(), state: z.enum(['closed', 'open', 'half-open']), failures: z.number().int().min(0), reopens_at: isoTime.nullable() })).optional(),
});
export type MainWorkerStatus = z.infer<typeof MainWorkerStatusSchema>;
