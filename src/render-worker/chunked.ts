// The render worker's side of chunked rendering (docs/chunks.md): a long task claimed is split
// (parked until its chunks are done), a chunk task renders one artifact (a video chunk or the
// whole audio) and publishes it to chunks/<id>/, and the task, claimed again once every
// artifact is there, is joined without re-encoding and published like any task.
import { link, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import { fsyncPath } from '../shared/fs.js';
import { writeJson } from '../shared/json.js';
import { encoderSpec } from '../shared/media/encoders.js';
import { paramMismatches, probeSeams, probeStreamParams, probeWithSeams, type SeamReport } from '../shared/media/seams.js';
import { artifactExists, CHUNK_AUDIO, chunkFileName, joinField, missingArtifacts, parkForChunks, planArtifacts, publishChunk, publishJoinIfReady, retireChunkTask } from '../shared/protocol/chunks.js';
import { rejectArtifacts } from '../shared/protocol/chunk-sweep.js';
import { assertOwnClaim } from '../shared/protocol/complete.js';
import { ReportSchema } from '../shared/protocol/files.js';
import { resolveAllowed } from '../shared/safe-files.js';
import { buildFfconcat, type ChunkField, type JoinField, type TaskMetadata } from '../shared/task.js';
import { AUDIO_CODEC, SAMPLE_RATE } from '../shared/timeline/audio.js';
import { chunkPlan, chunkSubTimeline } from '../shared/timeline/chunks.js';
import { CHUNK_ENCODER, chunkEncoderArgv, compileAudio, compileChunk, joinArgv } from '../shared/timeline/compile-chunk.js';
import { renderSize, type Compiled, type Expectation } from '../shared/timeline/compile.js';
import { prepareInputs } from '../shared/timeline/prepare.js';
import { timelineFiles, type Timeline } from '../shared/timeline/schema.js';
import { checkAgainst, type Check, type Verification } from '../shared/timeline/verify.js';
import { type CopyFn, type ResolvedInputs } from './download.js';
import { runFfmpeg } from './ffmpeg-run.js';
import { showStage, stageError, type Job, type WorkerEnv } from './job.js';
import { makePoster, renderAndVerify, throwIfFailed, verifyOutput, type PassCompiler } from './render.js';
import { taskReport } from './upload.js';

/** What a claimed task is to this worker. */
export type ChunkRole = { role: 'whole' } | { role: 'chunk' } | { role: 'published' } | { role: 'split'; plan: JoinField } | { role: 'join'; plan: JoinField };

/**
 * The role of a claimed task: a chunk task renders its artifact; a task with a plan (recorded
 * when it was split, or made now from render.chunkSeconds) joins when every artifact is in
 * chunks/<id>/, else is split (again: a split cut short publishes what is missing).
 */
export async function chunkRole(env: WorkerEnv, meta: TaskMetadata, timeline: Timeline): Promise<ChunkRole> {
  // A chunk task whose artifact is there already (its worker killed between the artifact's rename and the folder's): not rendered again.
  if (meta.chunk) return (await artifactExists(env.layout, meta.chunk)) ? { role: 'published' } : { role: 'chunk' };
  const r = meta.join ? null : chunkPlan(timeline, env.config.render.chunkSeconds);
  if (r && 'why' in r && r.why) env.log.info({ task: meta.task_id }, `Task ${meta.task_id} (${timeline.output.duration.toFixed(1)} s) is rendered whole, not in chunks: ${r.why}`);
  const made = r && 'plan' in r ? r.plan : null;
  // The encoder rule (docs/chunks.md): this node's libx264 arguments, recorded in the plan, are every chunk's, on any node.
  const plan = meta.join ?? (made ? joinField(made, chunkEncoderArgv(encoderSpec(CHUNK_ENCODER, env.config), timeline.output.quality)) : null);
  if (!plan) return { role: 'whole' };
  return (await missingArtifacts(env.layout, meta.task_id, plan)).length ? { role: 'split', plan } : { role: 'join', plan };
}

/** The inputs of a chunk task: only the files its artifact reads (artifactTimeline). */
export function chunkInputs(sources: ResolvedInputs, chunk: ChunkField): ResolvedInputs {
  const needed = new Set(timelineFiles(artifactTimeline(sources.timeline, chunk)));
  return { timeline: sources.timeline, files: new Map([...sources.files].filter(([f]) => needed.has(f))) };
}

/** Splits the claimed task (protocol parkForChunks), then publishes its join if the chunks were all done meanwhile. */
export async function splitJob(env: WorkerEnv, job: Job, plan: JoinField): Promise<void> {
  const published = await parkForChunks(env.layout, job.id, env.node, job.lease, job.meta!, plan);
  // Parked: the folder is not in processing/ any more, so nothing below may reach settle (which would requeue or fail it).
  try {
    await job.lease.release();
    const n = planArtifacts(job.id, plan).length;
    job.log.info(`Task ${job.id} (${(plan.frames / plan.fps).toFixed(1)} s) split into ${plan.chunks.length} chunks${plan.audio ? ' and its audio' : ''}: ${published.length} of ${n} chunk tasks published now; it waits in chunks/${job.id}/join/`);
    if (await publishJoinIfReady(env.layout, job.id)) job.log.info(`Task ${job.id}: every chunk is done; its join is published to tasks/`);
  } catch (err) {
    job.log.error({ err }, `Task ${job.id} is parked in chunks/${job.id}/join/, but then: ${errorMessage(err)}; the main worker's health check publishes its join when its chunks are done`);
  }
}

/** A chunk task whose artifact is in chunks/<of>/ already: its folder moves to chunks/<of>/done/ (protocol retireChunkTask), the join follows if it was the last. */
export async function retirePublishedChunk(env: WorkerEnv, job: Job): Promise<void> {
  const chunk = job.meta!.chunk!;
  await assertOwnClaim(env.layout, job.id, env.node, job.lease);
  const joined = await retireChunkTask(env.layout, job.id, chunk);
  job.log.info(`Chunk task ${job.id}: chunks/${chunk.of}/${chunkFileName(chunk)} is there already (a worker stopped after publishing it); moved to chunks/${chunk.of}/done/ without rendering${joined ? `; the join of ${chunk.of} is published to tasks/` : ''}`);
  await job.lease.release();
}

/**
 * The inputs of a join: the artifacts, each a regular file inside chunks/<id>/ (DESIGN §1
 * Paths), and the words files of captions layers (captions.srt/.vtt are written beside
 * final.mp4 as for any task); nothing else of the timeline is read.
 */
export async function resolveJoinInputs(env: WorkerEnv, id: string, timeline: Timeline, plan: JoinField, taskFiles: ResolvedInputs['files']): Promise<ResolvedInputs> {
  const files = new Map<string, string>();
  const dir = env.layout.chunkDir(id);
  for (const c of planArtifacts(id, plan)) files.set(`chunks/${chunkFileName(c)}`, await resolveAllowed(join(dir, chunkFileName(c)), [dir], `chunk ${chunkFileName(c)}`));
  for (const l of timeline.layers) {
    if (l.type !== 'captions') continue;
    const w = l.words;
    const real = taskFiles.get(w);
    if (real) files.set(w, real);
  }
  return { timeline, files };
}

/**
 * What of the timeline an artifact reads: the audio tracks for the audio; for a video chunk,
 * the segments it compiles (chunkSubTimeline) and every layer. Its files are all the chunk
 * task downloads, and all that is probed: a chunk of a long chapter copies its own clips,
 * not the chapter's.
 */
export function artifactTimeline(tl: Timeline, chunk: ChunkField): Timeline {
  // The output (its duration: captions pages and their fonts) stays the whole timeline's.
  return chunk.kind === 'audio' ? { ...tl, video: [], layers: [] } : { ...tl, video: chunkSubTimeline(tl, chunk.range!).video, audio: [] };
}

/** Renders the claimed chunk task's artifact (libx264 for every video chunk, on any node) and verifies it. */
export async function renderChunk(env: WorkerEnv, job: Job): Promise<void> {
  const chunk = job.meta!.chunk!;
  const inputs = job.inputs!;
  const tl = inputs.timeline;
  showStage(env, job.id, 'render');
  const prepared = await prepareInputs(artifactTimeline(tl, chunk), {
    paths: inputs.paths,
    workDir: job.scratch,
    output: join(job.scratch, chunkFileName(chunk)),
    ffprobe: env.bins.ffprobe.path,
    fontsDirs: env.config.render.fontsDirs.map((d) => env.layout.abs(d)),
    log: job.log,
    signal: job.signal,
  });
  inputs.output = prepared.output;
  const encoder = encoderSpec(CHUNK_ENCODER, env.config);
  // The audio task encodes no video: its report and log name the audio encoder.
  job.encoderUsed = chunk.kind === 'audio' ? AUDIO_CODEC : encoder.name;
  const ffprobe = env.bins.ffprobe.path;
  const write = async (c: Compiled): Promise<Compiled> => {
    await mkdir(prepared.workDir, { recursive: true });
    for (const f of c.files) await writeFile(f.path, f.content);
    return c;
  };
  let compile: PassCompiler;
  let verify: (file: string, expect: Expectation, signal: AbortSignal) => Promise<Omit<Verification, 'info'>>;
  if (chunk.kind === 'audio') {
    compile = async (t, p, _e, o) => {
      const c = compileAudio(t, p, o);
      if (!c) throw stageError('TASK_INVALID', 'render', 'the audio task\'s timeline has no audio tracks');
      return write(c);
    };
    verify = async (file, expect, signal) => checked(audioChecks(await probeSeams(ffprobe, file, signal), expect.duration));
    job.log.info(`Rendering the audio of task ${chunk.of} (${tl.output.duration.toFixed(1)} s), chunk task ${job.id}`);
  } else {
    const r = chunk.range!;
    compile = async (t, p, e, o) => write(compileChunk(t, r, p, e, o, chunk.encoder_argv));
    verify = async (file, expect, signal) => {
      const { info, seams } = await probeWithSeams(ffprobe, file, signal);
      return checked([...checkAgainst(info, expect), ...videoChecks(seams, r.to_frame - r.from_frame, [0])]);
    };
    job.log.info(`Rendering chunk ${r.index} of task ${chunk.of}: frames ${r.from_frame}-${r.to_frame - 1}${r.start_frame < r.from_frame ? ` (from frame ${r.start_frame}, ${r.from_frame - r.start_frame} frames of pre-roll)` : ''}, chunk task ${job.id}`);
  }
  const { verification, renderSeconds } = await renderAndVerify(env, job, tl, prepared, { compile, encoder, verify });
  job.timings.render = renderSeconds;
  job.verification = verification;
}

function checked(checks: Check[]): Omit<Verification, 'info'> {
  return { ok: checks.every((c) => c.ok), checks };
}

/** The checks of a video's packets: exactly `frames` frames, one frame apart (no gap or duplicate), a keyframe at each of `keyframes`. */
export function videoChecks(s: SeamReport, frames: number, keyframes: number[]): Check[] {
  const missingKeys = keyframes.filter((k) => !s.video.keyframesAt.includes(k));
  return [
    { name: 'frame_count', ok: s.video.frames === frames, expected: String(frames), actual: String(s.video.frames) },
    { name: 'video_timestamps', ok: s.video.gaps.length === 0, expected: `every frame ${s.video.frameTicks} ticks (${s.video.timeBase}) after the one before`, actual: s.video.gaps.length ? s.video.gaps.slice(0, 3).map((g) => `frame ${g.index}: ${g.delta}`).join(', ') : 'so' },
    { name: 'keyframes', ok: missingKeys.length === 0, expected: `keyframes at frames ${keyframes.join(', ')}`, actual: missingKeys.length ? `none at ${missingKeys.join(', ')}` : 'so' },
  ];
}

/** The checks of an audio stream: exactly the samples of `seconds` (priming and padding not counted), its packets end to end. */
export function audioChecks(s: SeamReport, seconds: number): Check[] {
  const want = Math.round(seconds * SAMPLE_RATE);
  const a = s.audio;
  return [
    { name: 'audio_samples', ok: a?.samples === want, expected: `${want} samples`, actual: a ? `${a.samples} samples` : 'no audio stream' },
    { name: 'audio_timestamps', ok: !!a && a.gaps.length === 0, expected: 'every packet right after the one before', actual: a ? (a.gaps.length ? a.gaps.slice(0, 3).map((g) => `packet ${g.index}: ${g.delta} (not ${g.expected})`).join(', ') : 'so') : 'no audio stream' },
  ];
}

/**
 * The join: the chunks concatenated and muxed with the audio without re-encoding, then verified
 * as any output (streams, size, rate, duration within a frame) and at its seams (the exact frame
 * count, a keyframe where every chunk starts, no timestamp gap or duplicate, the exact sample
 * count); its poster taken as any final's.
 */
export async function renderJoin(env: WorkerEnv, job: Job): Promise<void> {
  const plan = job.join!;
  const inputs = job.inputs!;
  const tl = inputs.timeline;
  showStage(env, job.id, 'render');
  const t = performance.now();
  const videos = plan.chunks.map((c) => inputs.paths.get(`chunks/${c.index}.mp4`)!);
  const audio = plan.audio ? inputs.paths.get(`chunks/${CHUNK_AUDIO}`)! : null;
  // The concat demuxer keeps the first chunk's headers: chunks encoded otherwise (another
  // node's settings) would join into a stream that does not decode. Refused before the concat;
  // the odd ones are moved aside so that a retry renders them again.
  const params = await Promise.all(videos.map((v) => probeStreamParams(env.bins.ffprobe.path, v, job.signal))).catch((err: unknown) => {
    if (job.signal.aborted) throw err;
    throw stageError('VERIFY_FAILED', 'verify', `a chunk cannot be probed: ${errorMessage(err)}`, { cause: err });
  });
  const odd = paramMismatches(params);
  if (odd.length) {
    const names = odd.map((o) => chunkFileName({ kind: 'video', range: plan.chunks[o.index]! }));
    const moved = await rejectArtifacts(env.layout, job.id, plan, names);
    throw stageError('VERIFY_FAILED', 'verify', `the chunks were not encoded alike, so they cannot be joined without re-encoding: ${odd.map((o, i) => `chunks/${job.id}/${names[i]}: ${o.diffs.join(', ')}`).join('; ')}; ${moved.length ? `moved aside to trash/chunks/${job.id}/ (clipmill retry ${job.id} renders them again)` : ''}`, { details: { chunks: names } });
  }
  const list = join(job.scratch, 'chunks.ffconcat');
  // Paths relative to the list's folder: the local copies are in/0001.mp4, ...
  await writeFile(list, buildFfconcat(videos.map((v) => v.slice(job.scratch.length + 1))));
  job.encoderUsed = CHUNK_ENCODER;
  job.log.info(`Joining task ${job.id}: ${plan.chunks.length} chunks${audio ? ' and the audio' : ''}, no re-encoding`);
  const result = await runFfmpeg(env.bins.ffmpeg.path, joinArgv(list, audio, inputs.output, true), { signal: job.signal, stallTimeoutMs: env.config.render.stallTimeoutMs });
  throwIfFailed(env, job, result);
  job.timings.render = (performance.now() - t) / 1000;
  const v = performance.now();
  const size = renderSize(tl.output);
  const expect: Expectation = { width: size.width, height: size.height, fps: tl.output.fps, duration: tl.output.duration, audio: plan.audio };
  const verify = async () => {
    const { info, seams } = await probeWithSeams(env.bins.ffprobe.path, inputs.output, job.signal);
    return checked([...checkAgainst(info, expect), ...videoChecks(seams, plan.frames, plan.chunks.map((c) => c.from_frame)), ...(plan.audio ? audioChecks(seams, tl.output.duration) : [])]);
  };
  // The artifacts that made a join fail its checks are moved aside (the audio's alone when only audio checks failed), so that a retry renders them again.
  const verification = await verifyOutput(job, 'the joined output', result.stderrTail, verify, async (failed) => {
    const audioOnly = failed.checks.every((c) => c.ok || c.name.startsWith('audio'));
    const moved = await rejectArtifacts(env.layout, job.id, plan, audioOnly ? [CHUNK_AUDIO] : undefined);
    return `; ${moved.join(', ')} moved aside to trash/chunks/${job.id}/ (clipmill retry ${job.id} renders them again)`;
  });
  job.verification = verification;
  job.poster = await makePoster(env, job, inputs.output, tl.output.duration);
  job.timings.verify = (performance.now() - v) / 1000;
}

/** Publishes the verified artifact of a chunk task (protocol publishChunk) with its report.json. */
export async function uploadChunk(env: WorkerEnv, job: Job, copy: CopyFn = env.copy): Promise<void> {
  const meta = job.meta!;
  const chunk = meta.chunk!;
  await assertOwnClaim(env.layout, job.id, env.node, job.lease);
  const u = performance.now();
  // Written before the artifact is uploaded (the folder moves with it): the upload's time is in the log line.
  const seconds = chunk.range ? (chunk.range.to_frame - chunk.range.from_frame) / job.inputs!.timeline.output.fps : job.inputs!.timeline.output.duration;
  const report = taskReport(env, job, (await stat(job.inputs!.output)).size, seconds);
  await writeJson(ReportSchema, join(job.dir, 'report.json'), report);
  const joined = await publishChunk(env.layout, job.id, env.node, job.lease, chunk, job.inputs!.output, async (src, dst) => {
    // A hard link when scratch is on the root's filesystem (no bytes copied; scratch is removed after), else the upload's copy.
    await link(src, dst).catch(() => copy(src, dst, job.lease.signal));
    await fsyncPath(dst);
  });
  job.timings.upload = (performance.now() - u) / 1000;
  job.log.info(`Rendered ${chunk.kind === 'audio' ? 'the audio' : `chunk ${chunk.range!.index}`} of task ${chunk.of} → chunks/${chunk.of}/${chunkFileName(chunk)} (${job.encoderUsed}, ${report.timings_s.render} s)${joined ? `; every chunk is done: the join of ${chunk.of} is published to tasks/` : ''}`);
}
