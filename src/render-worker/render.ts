// Stage 2: the one ffmpeg pass (with one software retry after a hardware encoder failed), then
// verification of what it wrote (DESIGN §5).
import { errorMessage } from '../shared/errors.js';
import { encoderSpec, type EncoderSpec } from '../shared/media/encoders.js';
import { machineFailureIn } from '../shared/media/stderr.js';
import type { CompileInputs, Expectation } from '../shared/timeline/compile.js';
import { compileAndWrite, prepareInputs } from '../shared/timeline/prepare.js';
import type { Timeline } from '../shared/timeline/schema.js';
import { runFfmpeg, type RunResult } from './ffmpeg-run.js';
import { showStage, stageError, type Job, type WorkerEnv } from './job.js';
import { describeFailures, verifyAgainst } from '../shared/timeline/verify.js';

export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-1)[0]?.trim() ?? 'no output';
}

/** One ffmpeg run of the task's compiled timeline with `encoder`, its progress shown in the heartbeat and the log. */
async function runPass(env: WorkerEnv, job: Job, timeline: Timeline, prepared: CompileInputs, encoder: EncoderSpec): Promise<{ result: RunResult; expect: Expectation }> {
  const { log, signal, id } = job;
  const compiled = await compileAndWrite(timeline, prepared, encoder, { audioBitrate: env.config.render.audioBitrate, progress: true });
  const total = compiled.expect.duration;
  log.debug({ argv: compiled.argv }, 'ffmpeg argv');
  let lastLog = performance.now();
  const hb = env.heartbeat;
  hb.renderingSince = Date.now();
  const result = await runFfmpeg(env.bins.ffmpeg.path, compiled.argv, {
    signal,
    stallTimeoutMs: env.config.render.stallTimeoutMs,
    onProgress: (t) => {
      if (hb.current?.task === id) hb.current.progress = Math.min(1, Math.round((t / total) * 1000) / 1000);
      if (performance.now() - lastLog < 10_000) return;
      lastLog = performance.now();
      log.info(`Rendering task ${id}: ${Math.min(100, (100 * t) / total).toFixed(0)}% (${t.toFixed(1)}/${total.toFixed(1)} s)`);
    },
  }).finally(() => {
    hb.renderingSince = null;
  });
  return { result, expect: compiled.expect };
}

/** Renders and verifies the job's output in scratch; throws a stage error (RENDER_*, VERIFY_FAILED). */
export async function renderJob(env: WorkerEnv, job: Job): Promise<void> {
  const meta = job.meta!;
  const inputs = job.inputs!;
  const out = inputs.timeline.output;
  job.log.info(`Rendering task ${job.id}: ${out.duration.toFixed(1)} s at ${out.width}x${out.height}@${out.fps} (${out.quality}) with ${env.encoder.name} (attempt ${meta.attempts})`);
  const t = performance.now();
  showStage(env, job.id, 'render');
  let encoder = env.encoder;
  // Probes and fonts once: a retry with another encoder only compiles again.
  const prepared = await prepareInputs(inputs.timeline, {
    paths: inputs.paths,
    workDir: job.scratch,
    output: inputs.output,
    ffprobe: env.bins.ffprobe.path,
    fontsDirs: env.config.render.fontsDirs.map((d) => env.layout.abs(d)),
    log: job.log,
    signal: job.signal,
  });
  let { result, expect } = await runPass(env, job, inputs.timeline, prepared, encoder);
  if (!result.ok && !result.canceled && !job.signal.aborted && encoder.hardware) {
    const reason = lastLine(result.stderrTail);
    job.log.warn(`Encoder ${encoder.name} failed (${reason}); retrying task ${job.id} once with libx264`);
    job.fallback = { from: encoder.name, reason };
    encoder = encoderSpec('libx264', env.config);
    job.encoderUsed = encoder.name;
    ({ result, expect } = await runPass(env, job, inputs.timeline, prepared, encoder));
  }
  const stderr = result.stderrTail;
  if (result.canceled || job.signal.aborted) throw stageError('RENDER_CANCELED', 'render', 'render canceled');
  if (result.stalled) throw stageError('RENDER_STALLED', 'render', `ffmpeg made no progress for render.stallTimeoutMs (${env.config.render.stallTimeoutMs} ms) and was killed`, { stderr });
  // A full disk, an I/O error or exhausted memory is the machine's, not the task's; ffmpeg 5.1
  // even exits 0 after a failed write ("Error writing trailer ...: No space left on device").
  const machine = machineFailureIn(stderr);
  if (machine && !result.ok) throw stageError(machine.code, 'render', `ffmpeg failed (${machine.errno}): ${machine.line}`, { stderr, details: { errno: machine.errno } });
  if (machine) throw stageError('OUTPUT_INCOMPLETE', 'render', `ffmpeg exited 0 but could not write its output (${machine.errno}): ${machine.line}`, { stderr, details: { errno: machine.errno } });
  // Killed by a signal nobody here sent: SIGKILL is what the kernel's OOM killer sends (resource:
  // retried on another node, then smaller); any other (SIGSEGV, SIGBUS, SIGABRT) is a crash,
  // which the machine may well be to blame for: retried with backoff.
  if (!result.ok && result.signal === 'SIGKILL') throw stageError('OUT_OF_MEMORY', 'render', `ffmpeg was killed by SIGKILL (the kernel's out-of-memory killer sends it): ${lastLine(stderr)}`, { stderr, details: { signal: result.signal } });
  if (!result.ok && result.signal) throw stageError('SUBPROCESS_FAILED', 'render', `ffmpeg died of ${result.signal}: ${lastLine(stderr)}`, { stderr, details: { signal: result.signal } });
  if (!result.ok) throw stageError('RENDER_FAILED', 'render', `ffmpeg failed (${result.signal ?? `exit code ${result.exitCode}`}): ${lastLine(stderr)}`, { stderr });
  job.timings.render = (performance.now() - t) / 1000;

  const v = performance.now();
  try {
    job.verification = await verifyAgainst(env.bins.ffprobe.path, inputs.output, expect, job.signal);
  } catch (err) {
    if (job.signal.aborted) throw err;
    throw stageError('VERIFY_FAILED', 'verify', `the output cannot be probed: ${errorMessage(err)}`, { stderr, cause: err });
  }
  if (!job.verification.ok) {
    throw stageError('VERIFY_FAILED', 'verify', describeFailures(job.verification), { stderr, details: { checks: job.verification.checks } });
  }
  job.timings.verify = (performance.now() - v) / 1000;
}
