// Stage 2: the one ffmpeg pass (with one software retry after a hardware encoder failed), then
// verification of what it wrote (DESIGN §5).
import { errorMessage } from '../shared/errors.js';
import { encoderSpec, type EncoderSpec } from '../shared/media/encoders.js';
import { machineFailureIn } from '../shared/media/stderr.js';
import type { CompileInputs, CompileOptions, Compiled, Expectation } from '../shared/timeline/compile.js';
import { compileAndWrite, prepareInputs } from '../shared/timeline/prepare.js';
import type { Timeline } from '../shared/timeline/schema.js';
import { runFfmpeg, type RunResult } from './ffmpeg-run.js';
import { atStage, showStage, stageError, type Job, type WorkerEnv } from './job.js';
import { describeFailures, verifyAgainst, type Verification } from '../shared/timeline/verify.js';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fsyncPath } from '../shared/fs.js';
import { runMedia } from '../shared/media/exec.js';
import { assertOwnClaim } from '../shared/protocol/complete.js';
import { PREVIEW_FILES, previewExists, publishPreview } from '../shared/protocol/previews.js';
import { renderChunk, renderJoin } from './chunked.js';

export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-1)[0]?.trim() ?? 'no output';
}

/** Compiles a pass for `encoder` and writes the files its argv reads (compileAndWrite, or a chunk's compiler). */
export type PassCompiler = (timeline: Timeline, prepared: CompileInputs, encoder: EncoderSpec, opts: CompileOptions) => Promise<Compiled>;

/** One ffmpeg run of the task's compiled timeline with `encoder`, its progress shown in the heartbeat and the log. */
async function runPass(env: WorkerEnv, job: Job, timeline: Timeline, prepared: CompileInputs, encoder: EncoderSpec, compile: PassCompiler = compileAndWrite): Promise<{ result: RunResult; expect: Expectation }> {
  const { log, signal, id } = job;
  const compiled = await compile(timeline, prepared, encoder, { audioBitrate: env.config.render.audioBitrate, progress: true });
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

/** Renders and verifies the job's output in scratch (after its preview, when one is wanted), with its poster; throws a stage error (RENDER_*, VERIFY_FAILED). */
export async function renderJob(env: WorkerEnv, job: Job): Promise<void> {
  const meta = job.meta!;
  // A chunk task renders its artifact; a chunked task whose chunks are done is joined (docs/chunks.md).
  if (meta.chunk) return renderChunk(env, job);
  if (job.join) return renderJoin(env, job);
  const inputs = job.inputs!;
  const out = inputs.timeline.output;
  showStage(env, job.id, 'render');
  // Probes and fonts once: a preview, and a retry with another encoder, only compile again.
  const prepared = await prepareInputs(inputs.timeline, {
    paths: inputs.paths,
    workDir: job.scratch,
    output: inputs.output,
    ffprobe: env.bins.ffprobe.path,
    fontsDirs: env.config.render.fontsDirs.map((d) => env.layout.abs(d)),
    log: job.log,
    signal: job.signal,
  });
  if (meta.preview ?? env.config.render.preview) await renderPreview(env, job, prepared);
  job.log.info(`Rendering task ${job.id}: ${out.duration.toFixed(1)} s at ${out.width}x${out.height}@${out.fps} (${out.quality}) with ${env.encoder.name} (attempt ${meta.attempts})`);
  const t = performance.now();
  const { verification, renderSeconds, duration } = await renderAndVerify(env, job, inputs.timeline, prepared);
  job.timings.render = renderSeconds;
  job.verification = verification;
  job.timings.verify = (performance.now() - t) / 1000 - renderSeconds;
  job.poster = await makePoster(env, job, inputs.output, duration);
}

/**
 * The draft preview (DESIGN §1 Quality) rendered from the same prepared inputs and published
 * to previews/<id>/ with its poster, before the final render. One already published (an
 * earlier attempt) is kept.
 */
async function renderPreview(env: WorkerEnv, job: Job, prepared: CompileInputs): Promise<void> {
  if (await previewExists(env.layout, job.id)) {
    job.log.info(`Task ${job.id}: its preview is already in previews/${job.id}/`);
    job.preview = true;
    return;
  }
  const timeline = job.inputs!.timeline;
  const draft: Timeline = { ...timeline, output: { ...timeline.output, quality: 'draft' } };
  const output = join(job.scratch, PREVIEW_FILES.video);
  job.log.info(`Rendering the preview of task ${job.id} (draft)`);
  const { duration } = await renderAndVerify(env, job, draft, { ...prepared, workDir: join(job.scratch, 'preview'), output });
  const poster = await makePoster(env, job, output, duration);
  await assertOwnClaim(env.layout, job.id, env.node, job.lease);
  await publishPreview(env.layout, job.id, output, poster, (src, dst) => copyWith(env, src, dst, job.signal));
  job.preview = true;
  job.log.info(`Published the preview of task ${job.id} → previews/${job.id}/${PREVIEW_FILES.video}`);
}

async function copyWith(env: WorkerEnv, src: string, dst: string, signal: AbortSignal): Promise<void> {
  await env.copy(src, dst, signal);
  await fsyncPath(dst);
}

/** poster.jpg beside a rendered video: one frame at a third of it. A video that yields no frame fails verification. */
export async function makePoster(env: WorkerEnv, job: Job, video: string, duration: number): Promise<string> {
  const poster = join(dirname(video), `${basename(video, extname(video))}.poster.jpg`);
  const at = posterTime(duration);
  const r = await runMedia(env.bins.ffmpeg.path, posterArgs(video, poster, at), { what: 'the poster frame', timeoutMs: 60_000, signal: job.signal, details: { stage: 'verify' } }).catch((err: unknown) => {
    throw atStage(err, 'verify');
  });
  const size = (await stat(poster).catch(() => null))?.size ?? 0;
  if (r.failed || size === 0) throw stageError('VERIFY_FAILED', 'verify', `no poster frame could be taken at ${at.toFixed(2)} s of ${basename(video)}: ${lastLine(r.stderr)}`, { stderr: r.stderr });
  return poster;
}

/** A third of the way in. */
export function posterTime(duration: number): number {
  return Math.max(0, Math.round((duration / 3) * 1000) / 1000);
}

/** ffmpeg's argv for one JPEG frame at `at` seconds (seeking on the input: fast, and exact since ffmpeg 2.1). */
export function posterArgs(video: string, poster: string, at: number): string[] {
  return ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-ss', at.toFixed(3), '-i', video, '-frames:v', '1', '-q:v', '3', '-update', '1', '-f', 'image2', poster];
}

/** How a pass's output is verified: against the compiler's expectation (verifyAgainst), or a chunk's own checks. */
export type PassVerifier = (file: string, expect: Expectation, signal: AbortSignal) => Promise<Omit<Verification, 'info'>>;

/**
 * One ffmpeg pass of `timeline` (a software retry after a hardware encoder failed), classified,
 * then verified. A chunk passes its own compiler, encoder and verifier (render-worker/chunked.ts).
 */
export async function renderAndVerify(
  env: WorkerEnv,
  job: Job,
  timeline: Timeline,
  prepared: CompileInputs,
  pass: { compile?: PassCompiler; encoder?: EncoderSpec; verify?: PassVerifier } = {},
): Promise<{ verification: Omit<Verification, 'info'>; renderSeconds: number; duration: number }> {
  const t = performance.now();
  let encoder = pass.encoder ?? env.encoder;
  let { result, expect } = await runPass(env, job, timeline, prepared, encoder, pass.compile);
  if (!result.ok && !result.canceled && !job.signal.aborted && encoder.hardware) {
    const reason = lastLine(result.stderrTail);
    job.log.warn(`Encoder ${encoder.name} failed (${reason}); retrying task ${job.id} once with libx264`);
    job.fallback = { from: encoder.name, reason };
    encoder = encoderSpec('libx264', env.config);
    job.encoderUsed = encoder.name;
    ({ result, expect } = await runPass(env, job, timeline, prepared, encoder, pass.compile));
  }
  const stderr = result.stderrTail;
  throwIfFailed(env, job, result);
  const renderSeconds = (performance.now() - t) / 1000;
  const verification = await verifyOutput(job, 'the output', stderr, () => (pass.verify ? pass.verify(prepared.output, expect, job.signal) : verifyAgainst(env.bins.ffprobe.path, prepared.output, expect, job.signal)));
  return { verification, renderSeconds, duration: expect.duration };
}

/** The classified error of an ffmpeg run that did not end well (canceled, stalled, the machine's, killed, crashed, failed); nothing when it did. */
export function throwIfFailed(env: WorkerEnv, job: Job, result: RunResult): void {
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
}

/** Runs a verifier of `what` (a file): one that cannot probe it, or checks that fail, are VERIFY_FAILED (`onFailed` first, e.g. to move the file's sources aside, its words added to the message). */
export async function verifyOutput(job: Job, what: string, stderr: string, verify: () => Promise<Omit<Verification, 'info'>>, onFailed?: (v: Omit<Verification, 'info'>) => Promise<string>): Promise<Omit<Verification, 'info'>> {
  let verification: Omit<Verification, 'info'>;
  try {
    verification = await verify();
  } catch (err) {
    if (job.signal.aborted) throw err;
    throw stageError('VERIFY_FAILED', 'verify', `${what} cannot be probed: ${errorMessage(err)}`, { stderr, cause: err });
  }
  if (!verification.ok) {
    const more = onFailed ? await onFailed(verification) : '';
    throw stageError('VERIFY_FAILED', 'verify', `${what === 'the output' ? '' : `${what}: `}${describeFailures(verification)}${more}`, { stderr, details: { checks: verification.checks } });
  }
  return verification;
}
