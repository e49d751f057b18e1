// The render worker: claim -> download -> render (one ffmpeg pass) + verify -> upload + publish,
// or fail into trash/failed/<id>/. As the spec's §7 draws it, the stages overlap: the next
// task is claimed and downloaded while the current one renders, and the previous one is
// uploaded meanwhile (render.prefetch: 0 makes the worker strictly sequential). A stopped
// render (shutdown past its grace) hands the task back to tasks/.
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../shared/config.js';
import { freeBytes, formatBytes } from '../shared/disk.js';
import { ClipmillError, errorMessage, type ErrorCode } from '../shared/errors.js';
import { exists, firstFreePath, fsyncPath, tempPathFor, writeFileAtomic, writeJsonAtomic } from '../shared/fs.js';
import type { Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import { encoderSpec, type EncoderSpec } from '../shared/media/encoders.js';
import type { Binaries } from '../shared/media/ffmpeg.js';
import { parseMetadata, TASK_FILES, type TaskMetadata } from '../shared/task.js';
import { claimNext, handBackDeadClaims, returnToTasks } from './claim.js';
import { processAlive } from '../shared/process.js';
import { acquireLease, type Lease } from './lease.js';
import { Heartbeat, type metricsOf } from './heartbeat.js';
import { Gauge, type Registry } from 'prom-client';
import { runFfmpeg } from './ffmpeg-run.js';
import { downloadInputs, plainCopy, type CopyFn } from './download.js';
import PQueue from 'p-queue';
import { planRender, type RenderInputs } from './plan-render.js';
import { verifyOutput, type Verification } from './verify.js';

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

export type TaskOutcome = 'done' | 'failed' | 'handed_back' | 'lost';

interface Failure {
  code: ErrorCode;
  stage: 'claim' | 'download' | 'render' | 'verify' | 'upload' | 'publish';
  message: string;
  stderr?: string;
  details?: Record<string, unknown>;
}

/** The task folder is someone else's now: leave it exactly as it is. */
class LostClaim extends Error {}

class TaskFailure extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.message);
    this.failure = failure;
  }
}

const UPLOAD_TRIES = 3;

/** The folder under which every render worker keeps its own scratch folder. */
export function scratchBase(config: Config): string {
  return config.render.scratchDir ?? join(tmpdir(), 'clipmill-scratch');
}

/** One scratch folder per worker process, so that workers sharing a host never touch each other's files. */
export function scratchRoot(config: Config, node: string, pid = process.pid): string {
  return join(scratchBase(config), `${node}-${pid}`);
}

/** Removes the scratch folders of this node's workers that are no longer running. */
export async function cleanStaleScratch(config: Config, node: string): Promise<string[]> {
  const base = scratchBase(config);
  const removed: string[] = [];
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const m = new RegExp(`^${node.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    await rm(join(base, name), { recursive: true, force: true });
    removed.push(join(base, name));
  }
  return removed;
}

/** The render worker's Prometheus metrics: the heartbeat's numbers, read at each scrape. */
function registerRenderMetrics(registry: Registry, hb: Heartbeat): void {
  const gauge = (name: string, help: string, read: () => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        // No value yet (no task finished in the window): NaN, not a stale number.
        this.set(read() ?? Number.NaN);
      },
    });
  const m = () => hb.snapshot().metrics as ReturnType<typeof metricsOf>;
  gauge('clipmill_render_utilization_percent', '% of wall time spent rendering, over the last hour', () => m().render_utilization);
  gauge('clipmill_avg_render_time_seconds', 'Mean render time per task, over the last hour', () => m().avg_render_time);
  gauge('clipmill_task_throughput_per_hour', 'Tasks completed per hour, over the last hour', () => m().task_throughput);
  gauge('clipmill_io_overhead_seconds', 'Mean download + upload seconds per task, over the last hour', () => m().io_overhead);
  gauge('clipmill_render_progress_ratio', 'Progress of the render in progress (0-1; 0 when idle)', () => (hb.current?.stage === 'render' ? hb.current.progress : 0));
  new Gauge({
    name: 'clipmill_render_tasks_total',
    help: 'Tasks this worker finished, by outcome (done, failed, handed_back)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      for (const [outcome, n] of Object.entries(hb.counters)) this.set({ outcome }, n);
    },
  });
}

/** A claimed task on its way through the stages. */
interface Job {
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
  verification: Verification | null;
  stderr: string;
  timings: { download: number; render: number; verify: number; upload: number };
}

export interface RunTotals {
  done: number;
  failed: number;
  handedBack: number;
  lowDisk: boolean;
  /** Seconds spent rendering, and the wall time of the run: render_utilization = render / wall. */
  renderSeconds: number;
  wallSeconds: number;
}

export class RenderWorker {
  private readonly ctx: RenderContext;
  readonly scratch: string;
  private readonly copy: CopyFn;
  readonly heartbeat: Heartbeat;

  constructor(ctx: RenderContext, registry?: Registry) {
    this.ctx = ctx;
    this.scratch = scratchRoot(ctx.config, ctx.node);
    this.copy = ctx.copy ?? plainCopy;
    this.heartbeat = new Heartbeat(ctx.layout, ctx.node, ctx.encoder.name, this.scratch, ctx.config.health.heartbeatMs);
    if (registry) registerRenderMetrics(registry, this.heartbeat);
  }

  /** True when scratch and the root both have `disk.minFreeMb` free; logs the spec's WARN otherwise. */
  async diskOk(): Promise<boolean> {
    const min = this.ctx.config.disk.minFreeMb * 1024 * 1024;
    await mkdir(this.scratch, { recursive: true });
    for (const [what, path] of [['scratch', this.scratch], ['root', this.ctx.layout.root]] as const) {
      const free = await freeBytes(path);
      if (free < min) {
        this.ctx.log.warn({ path, free }, `Low disk space: ${formatBytes(free)} remaining on ${what} (${path}); not claiming until ${this.ctx.config.disk.minFreeMb} MB are free`);
        return false;
      }
    }
    return true;
  }

  /** Stage 1: lease, metadata, attempts, and the download of the inputs to local scratch. */
  private async prepare(id: string, stop?: AbortSignal): Promise<Job | TaskOutcome> {
    const { layout, config } = this.ctx;
    const log = this.ctx.log.child({ task: id });
    let lease: Lease;
    try {
      lease = await acquireLease(layout, id, config.health, (err) => log.error({ err }, `Lost the lease on task ${id} (${err.message}); stopping work on it`));
    } catch (err) {
      // Someone else holds a lease on this id although the claim rename was ours: leave it.
      log.error({ err }, `Could not take the lease on task ${id}: ${errorMessage(err)}; leaving it`);
      return 'lost';
    }
    const job: Job = {
      id,
      log,
      dir: layout.processingTask(id),
      scratch: join(this.scratch, id),
      lease,
      signal: stop ? AbortSignal.any([stop, lease.signal]) : lease.signal,
      meta: null,
      started: performance.now(),
      inputs: null,
      encoderUsed: this.ctx.encoder.name,
      fallback: null,
      verification: null,
      stderr: '',
      timings: { download: 0, render: 0, verify: 0, upload: 0 },
    };
    try {
      let meta: TaskMetadata;
      try {
        meta = parseMetadata(await readFile(join(job.dir, TASK_FILES.metadata), 'utf8'));
      } catch (err) {
        throw new TaskFailure({ code: 'TASK_INVALID', stage: 'claim', message: errorMessage(err) });
      }
      meta = { ...meta, attempts: meta.attempts + 1 };
      job.meta = meta;
      await writeJsonAtomic(join(job.dir, TASK_FILES.metadata), meta);
      if (meta.attempts > config.tasks.maxAttempts) {
        throw new TaskFailure({ code: 'TOO_MANY_ATTEMPTS', stage: 'claim', message: `attempt ${meta.attempts} exceeds tasks.maxAttempts (${config.tasks.maxAttempts})` });
      }
      // stat follows the links, so a link to a missing scanned/ file is caught here.
      const needed = [meta.voice_file, meta.music_file, meta.render.logo, meta.frame_file ?? null].filter((f): f is string => !!f).map((f) => join(job.dir, f));
      needed.push(...meta.video_files.map((c) => layout.abs(c.path)));
      for (const p of needed) {
        if (!(await stat(p).then(() => true, () => false))) throw new TaskFailure({ code: 'TASK_INVALID', stage: 'claim', message: `input ${layout.rel(p)} is missing (or a link to a missing file)` });
      }
      await rm(job.scratch, { recursive: true, force: true });
      const t = performance.now();
      try {
        this.heartbeatStage(id, 'download');
        const d = await downloadInputs(layout, job.dir, meta, job.scratch, this.copy);
        job.inputs = d.inputs;
      } catch (err) {
        if (job.signal.aborted) throw err;
        throw new TaskFailure({ code: 'IO', stage: 'download', message: `could not copy the inputs to ${job.scratch}: ${errorMessage(err)}` });
      }
      job.timings.download = (performance.now() - t) / 1000;
      return job;
    } catch (err) {
      return this.settle(job, err);
    }
  }

  /** Stage 2: the one ffmpeg pass (with one software retry after a hardware failure), then the checks. */
  private async renderJob(job: Job): Promise<void> {
    const { config } = this.ctx;
    const meta = job.meta!;
    const inputs = job.inputs!;
    job.log.info(`Rendering task ${job.id}: ${meta.voice_duration.toFixed(1)} s at ${meta.render.resolution}@${meta.render.frame_rate} with ${this.ctx.encoder.name} (attempt ${meta.attempts})`);
    const t = performance.now();
    this.heartbeatStage(job.id, 'render');
    this.heartbeat.renderingSince = Date.now();
    let encoder = this.ctx.encoder;
    let result = await this.render(meta, inputs, encoder, job.log, job.signal).finally(() => {
      this.heartbeat.renderingSince = null;
    });
    if (!result.ok && !result.canceled && !job.signal.aborted && encoder.hardware) {
      const reason = lastLine(result.stderrTail);
      job.log.warn(`Encoder ${encoder.name} failed (${reason}); retrying task ${job.id} once with libx264`);
      job.fallback = { from: encoder.name, reason };
      encoder = encoderSpec('libx264', config);
      job.encoderUsed = encoder.name;
      this.heartbeat.renderingSince = Date.now();
      result = await this.render(meta, inputs, encoder, job.log, job.signal).finally(() => {
        this.heartbeat.renderingSince = null;
      });
    }
    job.stderr = result.stderrTail;
    if (result.canceled || job.signal.aborted) throw new TaskFailure({ code: 'RENDER_CANCELED', stage: 'render', message: 'render canceled' });
    if (result.stalled) throw new TaskFailure({ code: 'RENDER_STALLED', stage: 'render', message: `ffmpeg made no progress for render.stallTimeoutMs (${config.render.stallTimeoutMs} ms) and was killed`, stderr: result.stderrTail });
    if (!result.ok) throw new TaskFailure({ code: 'RENDER_FAILED', stage: 'render', message: `ffmpeg failed (${result.signal ?? `exit code ${result.exitCode}`}): ${lastLine(result.stderrTail)}`, stderr: result.stderrTail });
    job.timings.render = (performance.now() - t) / 1000;

    const v = performance.now();
    try {
      job.verification = await verifyOutput(this.ctx.bins.ffprobe.path, inputs.output, meta, job.signal);
    } catch (err) {
      if (job.signal.aborted) throw err;
      throw new TaskFailure({ code: 'VERIFY_FAILED', stage: 'verify', message: `the output cannot be probed: ${errorMessage(err)}`, stderr: result.stderrTail });
    }
    if (!job.verification.ok) {
      const bad = job.verification.checks.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, got ${c.actual}`);
      throw new TaskFailure({ code: 'VERIFY_FAILED', stage: 'verify', message: bad.join('; '), stderr: result.stderrTail, details: { checks: job.verification.checks } });
    }
    job.timings.verify = (performance.now() - v) / 1000;
  }

  /** Stage 3: final.mp4 into the task folder under a temp name, report.json, one rename to output/. */
  private async uploadJob(job: Job): Promise<void> {
    const { layout } = this.ctx;
    const meta = job.meta!;
    const u = performance.now();
    await this.upload(job.inputs!.output, join(job.dir, 'final.mp4'), job.log);
    job.timings.upload = (performance.now() - u) / 1000;
    const size = (await stat(join(job.dir, 'final.mp4'))).size;
    const r = (n: number) => round(n);
    const report = {
      task_id: job.id,
      node: this.ctx.node,
      finished_at: new Date().toISOString(),
      attempts: meta.attempts,
      encoder: job.encoderUsed,
      encoder_fallback: job.fallback,
      ffmpeg: this.ctx.bins.ffmpeg.version,
      voice_duration: meta.voice_duration,
      output_bytes: size,
      timings_s: { download: r(job.timings.download), render: r(job.timings.render), verify: r(job.timings.verify), upload: r(job.timings.upload), total: r((performance.now() - job.started) / 1000) },
      realtime_factor: r(meta.voice_duration / job.timings.render),
      checks: job.verification!.checks,
    };
    await writeJsonAtomic(join(job.dir, 'report.json'), report);
    if (job.lease.signal.aborted) throw job.lease.signal.reason;
    // A worker frozen past its lease (suspended VM, swap storm) may resume here after its task
    // was recovered and claimed again: publish only what is still this worker's claim.
    const claim = JSON.parse(await readFile(join(job.dir, TASK_FILES.claim), 'utf8').catch(() => '{}')) as { node?: string; pid?: number };
    if (claim.node !== this.ctx.node || claim.pid !== process.pid) throw new LostClaim(`the claim of task ${job.id} is no longer this worker's (now ${claim.node ?? 'none'} pid ${claim.pid ?? '-'})`);
    // Publishing is one rename of the whole folder: output/<id>/ appears with final.mp4,
    // report.json and the task's own files at once.
    if (await exists(layout.outputTask(job.id))) throw new TaskFailure({ code: 'UPLOAD_FAILED', stage: 'publish', message: `output/${job.id} already exists` });
    await rename(job.dir, layout.outputTask(job.id));
    job.log.info(
      { encoder: job.encoderUsed, render_s: report.timings_s.render, realtime: report.realtime_factor },
      `Rendered task ${job.id} → output/${job.id}/final.mp4 (${job.encoderUsed}, ${report.timings_s.render} s, ${report.realtime_factor}x realtime)`,
    );
  }

  /** After an error at any stage: abandon (lease lost), hand back (shutdown) or fail. */
  private async settle(job: Job, err: unknown): Promise<TaskOutcome> {
    try {
      if (job.lease.signal.aborted || err instanceof LostClaim) {
        job.log.error(`Task ${job.id} abandoned: ${err instanceof LostClaim ? err.message : 'the lease was lost'}, so another party owns it now`);
        return 'lost';
      }
      if (job.signal.aborted && job.meta) {
        // Shutting down: whatever broke (a killed ffmpeg or ffprobe) is not the task's fault.
        await this.handBack(job.id, job.meta, job.lease).catch((e: unknown) => job.log.error({ err: e }, `Could not hand task ${job.id} back: ${errorMessage(e)}`));
        job.log.warn(`Task ${job.id} handed back to tasks/ (shutting down)`);
        return 'handed_back';
      }
      const failure: Failure = err instanceof TaskFailure ? err.failure : { code: err instanceof ClipmillError ? err.code : 'IO', stage: 'publish', message: errorMessage(err) };
      await this.fail(job.id, failure, job.meta, job.encoderUsed, job.log);
      return 'failed';
    } finally {
      await this.cleanup(job);
    }
  }

  private async cleanup(job: Job): Promise<void> {
    if (this.heartbeat.current?.task === job.id) this.heartbeat.current = null;
    await job.lease.release();
    await rm(job.scratch, { recursive: true, force: true });
  }

  private async render(meta: TaskMetadata, inputs: RenderInputs, encoder: EncoderSpec, log: Logger, signal?: AbortSignal) {
    const argv = planRender(meta, inputs, encoder, { audioBitrate: this.ctx.config.render.audioBitrate, progress: true });
    log.debug({ argv }, 'ffmpeg argv');
    let lastLog = performance.now();
    return runFfmpeg(this.ctx.bins.ffmpeg.path, argv, {
      signal,
      stallTimeoutMs: this.ctx.config.render.stallTimeoutMs,
      onProgress: (t) => {
        if (this.heartbeat.current?.task === meta.task_id) this.heartbeat.current.progress = Math.min(1, Math.round((t / meta.voice_duration) * 1000) / 1000);
        if (performance.now() - lastLog < 10_000) return;
        lastLog = performance.now();
        log.info(`Rendering task ${meta.task_id}: ${Math.min(100, (100 * t) / meta.voice_duration).toFixed(0)}% (${t.toFixed(1)}/${meta.voice_duration.toFixed(1)} s)`);
      },
    });
  }

  private async upload(src: string, dst: string, log: Logger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const tmp = tempPathFor(dst);
      try {
        await rm(dst, { force: true });
        // Under a temp name, then renamed: a reader never sees a partial final.mp4.
        await this.copy(src, tmp);
        await fsyncPath(tmp);
        await rename(tmp, dst);
        return;
      } catch (err) {
        await rm(tmp, { force: true });
        if (attempt >= UPLOAD_TRIES) throw new TaskFailure({ code: 'UPLOAD_FAILED', stage: 'upload', message: `upload failed ${UPLOAD_TRIES} times: ${errorMessage(err)}` });
        const wait = 500 * 2 ** (attempt - 1);
        log.warn(`Upload of ${dst} failed (${errorMessage(err)}); retry ${attempt + 1}/${UPLOAD_TRIES} in ${wait} ms`);
        await sleep(wait);
      }
    }
  }

  /** Returns a claimed task to tasks/ with its attempts unchanged (a cancel is not a failure). */
  private async handBack(id: string, meta: TaskMetadata, lease: Lease): Promise<void> {
    const dir = this.ctx.layout.processingTask(id);
    await writeJsonAtomic(join(dir, TASK_FILES.metadata), { ...meta, attempts: Math.max(0, meta.attempts - 1) });
    // The lease goes first: whoever claims the task next must be able to take it.
    await lease.release();
    await returnToTasks(this.ctx.layout, id);
  }

  private async fail(id: string, failure: Failure, meta: TaskMetadata | null, encoder: string, log: Logger): Promise<void> {
    const { layout } = this.ctx;
    const dir = layout.processingTask(id);
    try {
      if (failure.stderr) await writeFileAtomic(join(dir, 'stderr.log'), failure.stderr);
      await writeJsonAtomic(join(dir, 'error.json'), {
        task_id: id,
        code: failure.code,
        stage: failure.stage,
        message: failure.message,
        attempts: meta?.attempts ?? null,
        node: this.ctx.node,
        encoder,
        failed_at: new Date().toISOString(),
        ...(failure.details ? { details: failure.details } : {}),
      });
      await rm(join(dir, 'final.mp4'), { force: true });
      const dest = await firstFreePath(layout.failedTask(id));
      await rename(dir, dest);
      log.error({ code: failure.code, stage: failure.stage }, `Task ${id} failed at ${failure.stage} (${failure.code}): ${failure.message} → ${layout.rel(dest)}/`);
    } catch (err) {
      log.error({ err }, `Task ${id} failed (${failure.code}: ${failure.message}) and could not be moved to trash/failed: ${errorMessage(err)}`);
    }
  }

  /** What a killed worker of this node left: its tasks go back to tasks/, its scratch away. */
  private async startUp(): Promise<void> {
    const { log, layout, node, config } = this.ctx;
    for (const id of await handBackDeadClaims(layout, node, processAlive)) log.warn({ task: id }, `Task ${id} was claimed by a worker of ${node} that is gone; handed back to tasks/`);
    for (const p of await cleanStaleScratch(config, node)) log.info(`Removed the scratch folder ${p} of a render worker that is gone`);
  }

  /**
   * A signal that aborts `render.shutdownGraceMs` after `stop` does: on SIGTERM the worker
   * stops claiming at once, and the render in progress gets the grace to finish.
   */
  private graceSignal(stop?: AbortSignal): AbortSignal | undefined {
    if (!stop) return undefined;
    const hard = new AbortController();
    const onStop = () => {
      const grace = this.ctx.config.render.shutdownGraceMs;
      if (grace > 0) this.ctx.log.info(`Shutting down: no new claims; the render in progress has ${grace} ms to finish`);
      setTimeout(() => hard.abort(stop.reason), grace).unref();
    };
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    return hard.signal;
  }

  /**
   * The pipeline. While a task renders, the next one is claimed and downloaded
   * (render.prefetch > 0) and the previous one uploaded. `once`: until no task is left;
   * otherwise until `stop`, polling render.pollIntervalMs when idle.
   */
  private async pipeline(stop: AbortSignal | undefined, once: boolean): Promise<RunTotals> {
    const { config, layout, node, log } = this.ctx;
    const totals: RunTotals = { done: 0, failed: 0, handedBack: 0, lowDisk: false, renderSeconds: 0, wallSeconds: 0 };
    const t0 = performance.now();
    await this.startUp();
    const hard = this.graceSignal(stop);
    const hb = this.heartbeat;
    hb.start();
    stop?.addEventListener('abort', () => (hb.state = 'stopping'), { once: true });
    const count = (o: TaskOutcome) => {
      if (o === 'done') totals.done++;
      else if (o === 'handed_back') totals.handedBack++;
      else totals.failed++;
      hb.counters.done = totals.done;
      hb.counters.failed = totals.failed;
      hb.counters.handed_back = totals.handedBack;
    };
    const uploads = new PQueue({ concurrency: 1 });
    const claimAndPrepare = async (): Promise<Job | TaskOutcome | null> => {
      if (stop?.aborted) return null;
      if (!(await this.diskOk())) {
        totals.lowDisk = true;
        hb.state = 'low_disk';
        return null;
      }
      const id = await claimNext(layout, node);
      return id ? this.prepare(id, hard) : null;
    };
    let next: Promise<Job | TaskOutcome | null> | null = null;
    for (;;) {
      let current: Job | TaskOutcome | null;
      try {
        current = await (next ?? claimAndPrepare());
      } catch (err) {
        log.error({ err }, `Claim failed: ${errorMessage(err)}`);
        current = null;
      }
      next = null;
      if (current === null) {
        if (once || stop?.aborted) break;
        if (hb.state !== 'low_disk' && hb.state !== 'stopping') hb.state = 'idle';
        if (!hb.current) void hb.beat();
        await sleep(config.render.pollIntervalMs, undefined, stop ? { signal: stop } : {}).catch(() => {});
        continue;
      }
      if (typeof current === 'string') {
        count(current);
        continue;
      }
      const job: Job = current;
      // Downloaded ahead, but the shutdown came before its render started: not started now.
      if (stop?.aborted) {
        count(await this.settle({ ...job, signal: AbortSignal.abort() }, new Error('shutting down')));
        continue;
      }
      // Download the next task while this one renders.
      if (config.render.prefetch > 0 && !stop?.aborted) next = claimAndPrepare().catch((err: unknown) => (log.error({ err }, `Claim failed: ${errorMessage(err)}`), null));
      try {
        await this.renderJob(job);
        totals.renderSeconds += job.timings.render;
      } catch (err) {
        count(await this.settle(job, err));
        continue;
      }
      // Upload meanwhile; a lost lease still stops it, a shutdown does not (the work is done).
      void uploads.add(async () => {
        try {
          await this.uploadJob(job);
          await this.cleanup(job);
          hb.finish({ at: Date.now(), render: job.timings.render, io: job.timings.download + job.timings.upload });
          count('done');
        } catch (err) {
          count(await this.settle({ ...job, signal: job.lease.signal }, err));
        }
      });
      if (config.render.prefetch === 0) await uploads.onIdle();
    }
    // A task downloaded ahead but not rendered yet goes back as it is.
    const leftover = next as Promise<Job | TaskOutcome | null> | null;
    if (leftover) {
      const pending = await leftover;
      if (pending && typeof pending !== 'string') count(await this.settle({ ...pending, signal: AbortSignal.abort() }, new Error('shutting down')));
      else if (pending) count(pending);
    }
    await uploads.onIdle();
    await hb.stop();
    totals.wallSeconds = (performance.now() - t0) / 1000;
    return totals;
  }

  private heartbeatStage(task: string, stage: 'download' | 'render' | 'upload'): void {
    // The heartbeat shows the task being rendered; a download ahead shows only when idle.
    if (stage !== 'render' && this.heartbeat.current?.stage === 'render') return;
    this.heartbeat.state = this.heartbeat.state === 'stopping' ? 'stopping' : 'working';
    this.heartbeat.current = { task, stage, progress: 0, since: new Date().toISOString() };
  }

  /** `--once`: renders every task there is, then returns. */
  async runOnce(signal?: AbortSignal): Promise<RunTotals> {
    return this.pipeline(signal, true);
  }

  /** The daemon: claims whenever a task is there, polls `render.pollIntervalMs` otherwise. */
  async run(signal: AbortSignal): Promise<void> {
    const { log } = this.ctx;
    log.info(`Render worker ${this.ctx.node} ready (encoder ${this.ctx.encoder.name}, scratch ${this.scratch}, prefetch ${this.ctx.config.render.prefetch})`);
    const t = await this.pipeline(signal, false);
    log.info(`Render worker ${this.ctx.node} stopped: ${t.done} rendered, ${t.failed} failed, ${t.handedBack} handed back`);
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-1)[0]?.trim() ?? 'no output';
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
