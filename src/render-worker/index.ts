// The render worker: claim -> render (one ffmpeg pass) -> verify -> upload -> publish, or fail
// into trash/failed/<id>/. A canceled render (shutdown) hands the task back to tasks/.
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../shared/config.js';
import { freeBytes, formatBytes } from '../shared/disk.js';
import { ClipmillError, errorMessage, type ErrorCode } from '../shared/errors.js';
import { copyFileAtomic, exists, writeFileAtomic, writeJsonAtomic } from '../shared/fs.js';
import type { Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import { encoderSpec, type EncoderSpec } from '../shared/media/encoders.js';
import type { Binaries } from '../shared/media/ffmpeg.js';
import { parseMetadata, TASK_FILES, type TaskMetadata } from '../shared/task.js';
import { claimNext, handBackDeadClaims } from './claim.js';
import { acquireLease, type Lease } from './lease.js';
import { runFfmpeg } from './ffmpeg-run.js';
import { planRender } from './plan-render.js';
import { verifyOutput, type Verification } from './verify.js';

export interface RenderContext {
  config: Config;
  layout: Layout;
  log: Logger;
  bins: Binaries;
  encoder: EncoderSpec;
  node: string;
}

export type TaskOutcome = 'done' | 'failed' | 'handed_back' | 'lost';

interface Failure {
  code: ErrorCode;
  stage: 'claim' | 'render' | 'verify' | 'upload' | 'publish';
  message: string;
  stderr?: string;
  details?: Record<string, unknown>;
}

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

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the scratch folders of this node's workers that are no longer running. */
export async function cleanStaleScratch(config: Config, node: string): Promise<string[]> {
  const base = scratchBase(config);
  const removed: string[] = [];
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const m = new RegExp(`^${node.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    await rm(join(base, name), { recursive: true, force: true });
    removed.push(join(base, name));
  }
  return removed;
}

export class RenderWorker {
  private readonly ctx: RenderContext;
  readonly scratch: string;

  constructor(ctx: RenderContext) {
    this.ctx = ctx;
    this.scratch = scratchRoot(ctx.config, ctx.node);
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

  /**
   * Renders one claimed task. `stop` aborts the work (a shutdown past its grace): the task is
   * handed back. Losing the lease aborts it too, but then the task is no longer this worker's
   * to hand back or fail: it is left alone.
   */
  async processTask(id: string, stop?: AbortSignal): Promise<TaskOutcome> {
    const { layout, config } = this.ctx;
    const log = this.ctx.log.child({ task: id });
    const dir = layout.processingTask(id);
    const scratch = join(this.scratch, id);
    const started = performance.now();
    let meta: TaskMetadata | null = null;
    let encoderUsed = this.ctx.encoder.name;
    let lease: Lease;
    try {
      lease = await acquireLease(layout, id, (err) => log.error({ err }, `Lost the lease on task ${id} (${err.message}); stopping work on it`));
    } catch (err) {
      // Someone else holds a lease on this id: the claim rename said otherwise, so leave it be.
      log.error({ err }, `Could not take the lease on task ${id}: ${errorMessage(err)}; leaving it`);
      return 'lost';
    }
    const signal = stop ? AbortSignal.any([stop, lease.signal]) : lease.signal;
    try {
      try {
        meta = parseMetadata(await readFile(join(dir, TASK_FILES.metadata), 'utf8'));
      } catch (err) {
        throw new TaskFailure({ code: 'TASK_INVALID', stage: 'claim', message: errorMessage(err) });
      }
      meta = { ...meta, attempts: meta.attempts + 1 };
      await writeJsonAtomic(join(dir, TASK_FILES.metadata), meta);
      if (meta.attempts > config.tasks.maxAttempts) {
        throw new TaskFailure({ code: 'TOO_MANY_ATTEMPTS', stage: 'claim', message: `attempt ${meta.attempts} exceeds tasks.maxAttempts (${config.tasks.maxAttempts})` });
      }
      const inputs = {
        videoList: join(dir, meta.video_list),
        voice: join(dir, meta.voice_file),
        music: meta.music_file ? join(dir, meta.music_file) : null,
        logo: meta.render.logo ? join(dir, meta.render.logo) : null,
        frame: meta.frame_file ? join(dir, meta.frame_file) : null,
        output: join(scratch, 'final.mp4'),
      };
      for (const [what, p] of Object.entries(inputs)) {
        // stat follows the links, so a link to a missing scanned/ file is caught here.
        if (p && what !== 'output' && !(await stat(p).then(() => true, () => false))) {
          throw new TaskFailure({ code: 'TASK_INVALID', stage: 'claim', message: `${what} input ${layout.rel(p)} is missing (or a link to a missing file)` });
        }
      }
      await rm(scratch, { recursive: true, force: true });
      await mkdir(scratch, { recursive: true });

      // Render, with one software retry when a hardware encoder fails.
      log.info(`Rendering task ${id}: ${meta.voice_duration.toFixed(1)} s at ${meta.render.resolution}@${meta.render.frame_rate} with ${this.ctx.encoder.name} (attempt ${meta.attempts})`);
      const renderStart = performance.now();
      let encoder = this.ctx.encoder;
      let fallback: { from: string; reason: string } | null = null;
      let result = await this.render(meta, inputs, encoder, log, signal);
      if (!result.ok && !result.canceled && !signal.aborted && encoder.hardware) {
        const reason = lastLine(result.stderrTail);
        log.warn(`Encoder ${encoder.name} failed (${reason}); retrying task ${id} once with libx264`);
        fallback = { from: encoder.name, reason };
        encoder = encoderSpec('libx264', config);
        encoderUsed = encoder.name;
        result = await this.render(meta, inputs, encoder, log, signal);
      }
      if (result.canceled || signal.aborted) throw new TaskFailure({ code: 'RENDER_CANCELED', stage: 'render', message: 'render canceled' });
      if (result.stalled) {
        throw new TaskFailure({ code: 'RENDER_STALLED', stage: 'render', message: `ffmpeg made no progress for render.stallTimeoutMs (${config.render.stallTimeoutMs} ms) and was killed`, stderr: result.stderrTail });
      }
      if (!result.ok) {
        throw new TaskFailure({ code: 'RENDER_FAILED', stage: 'render', message: `ffmpeg failed (${result.signal ?? `exit code ${result.exitCode}`}): ${lastLine(result.stderrTail)}`, stderr: result.stderrTail });
      }
      const renderSeconds = (performance.now() - renderStart) / 1000;

      const verifyStart = performance.now();
      let verification: Verification;
      try {
        verification = await verifyOutput(this.ctx.bins.ffprobe.path, inputs.output, meta, signal);
      } catch (err) {
        throw new TaskFailure({ code: 'VERIFY_FAILED', stage: 'verify', message: `the output cannot be probed: ${errorMessage(err)}`, stderr: result.stderrTail });
      }
      if (!verification.ok) {
        const bad = verification.checks.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, got ${c.actual}`);
        throw new TaskFailure({ code: 'VERIFY_FAILED', stage: 'verify', message: bad.join('; '), stderr: result.stderrTail, details: { checks: verification.checks } });
      }
      const verifySeconds = (performance.now() - verifyStart) / 1000;

      const uploadStart = performance.now();
      await this.upload(inputs.output, join(dir, 'final.mp4'), log);
      const uploadSeconds = (performance.now() - uploadStart) / 1000;
      const size = (await stat(join(dir, 'final.mp4'))).size;
      const report = {
        task_id: id,
        node: this.ctx.node,
        finished_at: new Date().toISOString(),
        attempts: meta.attempts,
        encoder: encoder.name,
        encoder_fallback: fallback,
        ffmpeg: this.ctx.bins.ffmpeg.version,
        voice_duration: meta.voice_duration,
        output_bytes: size,
        timings_s: { render: round(renderSeconds), verify: round(verifySeconds), upload: round(uploadSeconds), total: round((performance.now() - started) / 1000) },
        realtime_factor: round(meta.voice_duration / renderSeconds),
        checks: verification.checks,
      };
      await writeJsonAtomic(join(dir, 'report.json'), report);
      if (lease.signal.aborted) throw lease.signal.reason;
      // Publishing is one rename of the whole folder: output/<id>/ appears with final.mp4,
      // report.json and the task's own files at once.
      if (await exists(layout.outputTask(id))) throw new TaskFailure({ code: 'UPLOAD_FAILED', stage: 'publish', message: `output/${id} already exists` });
      await rename(dir, layout.outputTask(id));
      log.info(
        { encoder: encoder.name, render_s: report.timings_s.render, realtime: report.realtime_factor },
        `Rendered task ${id} → output/${id}/final.mp4 (${encoder.name}, ${report.timings_s.render} s, ${report.realtime_factor}x realtime)`,
      );
      return 'done';
    } catch (err) {
      if (lease.signal.aborted) {
        log.error(`Task ${id} abandoned: the lease was lost, so another party owns it now`);
        return 'lost';
      }
      if (signal?.aborted && meta) {
        // Shutting down: whatever broke (a killed ffmpeg or ffprobe) is not the task's fault.
        await this.handBack(id, meta, lease).catch((e: unknown) => log.error({ err: e }, `Could not hand task ${id} back: ${errorMessage(e)}`));
        log.warn(`Task ${id} handed back to tasks/ (shutting down)`);
        return 'handed_back';
      }
      const failure: Failure = err instanceof TaskFailure ? err.failure : { code: err instanceof ClipmillError ? err.code : 'IO', stage: 'publish', message: errorMessage(err) };
      await this.fail(id, failure, meta, encoderUsed, log);
      return 'failed';
    } finally {
      await lease.release();
      await rm(scratch, { recursive: true, force: true });
      await rm(this.scratch, { recursive: true, force: true }).catch(() => {});
    }
  }

  private async render(meta: TaskMetadata, inputs: Parameters<typeof planRender>[1], encoder: EncoderSpec, log: Logger, signal?: AbortSignal) {
    const argv = planRender(meta, inputs, encoder, { audioBitrate: this.ctx.config.render.audioBitrate, progress: true });
    log.debug({ argv }, 'ffmpeg argv');
    let lastLog = performance.now();
    return runFfmpeg(this.ctx.bins.ffmpeg.path, argv, {
      signal,
      stallTimeoutMs: this.ctx.config.render.stallTimeoutMs,
      onProgress: (t) => {
        if (performance.now() - lastLog < 10_000) return;
        lastLog = performance.now();
        log.info(`Rendering task ${meta.task_id}: ${Math.min(100, (100 * t) / meta.voice_duration).toFixed(0)}% (${t.toFixed(1)}/${meta.voice_duration.toFixed(1)} s)`);
      },
    });
  }

  private async upload(src: string, dst: string, log: Logger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await rm(dst, { force: true });
        await copyFileAtomic(src, dst);
        return;
      } catch (err) {
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
    await rm(join(dir, TASK_FILES.claim), { force: true });
    await rm(join(dir, 'final.mp4'), { force: true });
    // The lease goes first: whoever claims the task next must be able to take it.
    await lease.release();
    await rename(dir, this.ctx.layout.task(id));
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
      let dest = layout.failedTask(id);
      for (let n = 2; await exists(dest); n++) dest = `${layout.failedTask(id)}.${n}`;
      await rename(dir, dest);
      log.error({ code: failure.code, stage: failure.stage }, `Task ${id} failed at ${failure.stage} (${failure.code}): ${failure.message} → ${layout.rel(dest)}/`);
    } catch (err) {
      log.error({ err }, `Task ${id} failed (${failure.code}: ${failure.message}) and could not be moved to trash/failed: ${errorMessage(err)}`);
    }
  }

  /** What a killed worker of this node left: its tasks go back to tasks/, its scratch away. */
  private async startUp(): Promise<void> {
    const { log, layout, node, config } = this.ctx;
    for (const id of await handBackDeadClaims(layout, node, alive)) log.warn({ task: id }, `Task ${id} was claimed by a worker of ${node} that is gone; handed back to tasks/`);
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

  /** `--once`: renders every task there is, one after the other. */
  async runOnce(signal?: AbortSignal): Promise<{ done: number; failed: number; handedBack: number; lowDisk: boolean }> {
    const totals = { done: 0, failed: 0, handedBack: 0, lowDisk: false };
    await this.startUp();
    const hard = this.graceSignal(signal);
    while (!signal?.aborted) {
      if (!(await this.diskOk())) {
        totals.lowDisk = true;
        break;
      }
      const id = await claimNext(this.ctx.layout, this.ctx.node);
      if (!id) break;
      const outcome = await this.processTask(id, hard);
      if (outcome === 'done') totals.done++;
      else if (outcome === 'failed' || outcome === 'lost') totals.failed++;
      else totals.handedBack++;
    }
    return totals;
  }

  /** The daemon: claims whenever a task is there, polls `render.pollIntervalMs` otherwise. */
  async run(signal: AbortSignal): Promise<void> {
    const { log, config } = this.ctx;
    log.info(`Render worker ${this.ctx.node} ready (encoder ${this.ctx.encoder.name}, scratch ${this.scratch})`);
    await this.startUp();
    const hard = this.graceSignal(signal);
    while (!signal.aborted) {
      let id: string | null = null;
      try {
        if (await this.diskOk()) id = await claimNext(this.ctx.layout, this.ctx.node);
        if (id) await this.processTask(id, hard);
      } catch (err) {
        log.error({ err }, `Render loop error: ${errorMessage(err)}`);
      }
      if (!id) await sleep(config.render.pollIntervalMs, undefined, { signal }).catch(() => {});
    }
    log.info(`Render worker ${this.ctx.node} stopped`);
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-1)[0]?.trim() ?? 'no output';
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
