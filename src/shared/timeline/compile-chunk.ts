// The compiler of a chunked task's artifacts (docs/chunks.md): one video chunk (video only, a
// frame range of the whole output, rendered in global time) and the audio of the whole
// timeline (audio only, mixed and encoded once). Pure, like compile.ts, and tested argument by
// argument in test/shared/timeline/compile-chunk.test.ts.
import type { EncoderSpec } from '../media/encoders.js';
import { audioEncoderArgv, buildAudio } from './audio.js';
import { expandCaptions } from './captions.js';
import { chunkSubTimeline, type ChunkRange } from './chunks.js';
import { qualityArgs, renderSize, videoEffects, type CompileInputs, type CompileOptions, type Compiled } from './compile.js';
import { Graph, secs } from './graph.js';
import { buildLayers } from './layers.js';
import type { Timeline } from './schema.js';
import { buildVideo } from './video.js';

/** The encoder every chunk of every task uses, on any node: libx264 (docs/chunks.md, the encoder rule). */
export const CHUNK_ENCODER = 'libx264';

/**
 * The encoder arguments of a chunk: the configured ones (with the quality's preset) plus what
 * makes independently encoded pieces one valid stream: closed GOPs (every chunk starts with an
 * IDR frame, no frame refers across a seam) and x264's `stitchable` (no per-chunk adaptive
 * header values: the SPS/PPS of every chunk agree).
 */
export function chunkEncoderArgs(encoder: EncoderSpec, quality: Timeline['output']['quality']): string[] {
  const args = qualityArgs(encoder, quality);
  const i = args.indexOf('-x264-params');
  if (i >= 0 && i + 1 < args.length) args[i + 1] = `${args[i + 1]}:stitchable=1`;
  else args.push('-x264-params', 'stitchable=1');
  args.push('-flags', '+cgop');
  return args;
}

/** The output arguments of every video chunk of a task (`-c:v libx264 ...`): recorded in the plan when the task is split, so that every node encodes with the same. */
export function chunkEncoderArgv(encoder: EncoderSpec, quality: Timeline['output']['quality']): string[] {
  return ['-c:v', encoder.name, ...chunkEncoderArgs(encoder, quality)];
}

/** The header of every pass, as compileTimeline writes it (`globalArgs`: the encoder's, none for the audio). */
function head(opts: CompileOptions, globalArgs: readonly string[] = []): string[] {
  const argv = ['-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'warning'];
  if (opts.progress) argv.push('-progress', 'pipe:1');
  return [...argv, '-copyts', ...globalArgs];
}

/**
 * One video chunk: the segments from its render start, their frames shifted to the global
 * time of that start, the timeline's layers and effects over them exactly as in a whole
 * render, the pre-roll trimmed, `to - from` frames written. No audio.
 */
export function compileChunk(tl: Timeline, chunk: ChunkRange, inputs: CompileInputs, encoder: EncoderSpec, opts: CompileOptions, encoderArgv?: string[]): Compiled {
  const g = new Graph();
  const size = renderSize(tl.output);
  const fps = tl.output.fps;
  const sub = chunkSubTimeline(tl, chunk);
  const base = buildVideo(g, sub, { paths: inputs.paths, sources: inputs.sources, width: size.width, height: size.height, fps, workDir: inputs.workDir }, sub.output.duration);
  const shifted = g.label('g');
  g.chain(`${base}setpts=PTS+${chunk.start_frame}/(${fps}*TB)${shifted}`);
  const layered = buildLayers(g, expandCaptions(tl, inputs.captions ?? new Map()), shifted, { paths: inputs.paths, fonts: inputs.fonts, canvas: size, fps, workDir: inputs.workDir, duration: tl.output.duration });
  // The frames on the output's grid first, as a whole render's constant-rate output puts them
  // (a gap in the graph's timestamps, such as the one tpad leaves before a transition, filled
  // with the frame before it; the base starts at start_frame exactly; one frame held at the end,
  // as fps drops a last frame whose end the graph does not say), then the pre-roll and
  // the tail trimmed by frame count and the chunk's timestamps started at 0.
  const trim = `tpad=stop_mode=clone:stop=1,fps=${fps},trim=start_frame=${chunk.from_frame - chunk.start_frame}:end_frame=${chunk.to_frame - chunk.start_frame},setpts=PTS-STARTPTS`;
  const tail = [trim, ...videoEffects(tl.effects, fps), 'format=yuv420p', ...(encoder.uploadFilter ? [encoder.uploadFilter] : [])];
  g.chain(`${layered}${tail.join(',')}[vout]`);
  const frames = chunk.to_frame - chunk.from_frame;
  const argv = head(opts, encoder.globalArgs);
  for (const input of g.inputs) argv.push(...input);
  argv.push(...g.filterArgs(inputs.workDir), '-map', '[vout]', '-an');
  // The plan's arguments (the node that split the task), not this node's configuration: every chunk encoded alike.
  argv.push(...(encoderArgv ?? chunkEncoderArgv(encoder, tl.output.quality)), '-fps_mode', 'passthrough', '-r', String(fps));
  // No +faststart: an artifact is only read whole, by the join (whose output has it); moving its index is a second write of the file.
  argv.push('-frames:v', String(frames), '-f', 'mp4', inputs.output);
  return { argv, files: g.files, expect: { width: size.width, height: size.height, fps, duration: frames / fps, audio: false } };
}

/**
 * The audio of the whole timeline, mixed and encoded once (AAC in MP4): encoded per chunk,
 * each piece would begin with the encoder's priming and end padded, a gap and a click at
 * every seam. Null when the timeline has no audio.
 */
export function compileAudio(tl: Timeline, inputs: CompileInputs, opts: CompileOptions): Compiled | null {
  const g = new Graph();
  const duration = tl.output.duration;
  const audio = buildAudio(g, tl, inputs.paths, duration, inputs.durations);
  if (!audio) return null;
  const argv = head(opts);
  for (const input of g.inputs) argv.push(...input);
  argv.push(...g.filterArgs(inputs.workDir), '-map', audio, '-vn');
  argv.push(...audioEncoderArgv(opts.audioBitrate));
  argv.push('-t', secs(duration / tl.effects.speed), '-f', 'mp4', inputs.output);
  return { argv, files: g.files, expect: { width: 0, height: 0, fps: tl.output.fps, duration: duration / tl.effects.speed, audio: true } };
}

/**
 * The join: the chunks concatenated by the concat demuxer without re-encoding (their
 * timestamps laid end to end), muxed with the audio (stream copy too). `list` is an ffconcat
 * list of the chunk files in order; `audio` null for a timeline without audio.
 */
export function joinArgv(list: string, audio: string | null, output: string, progress: boolean): string[] {
  const argv = ['-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'warning'];
  if (progress) argv.push('-progress', 'pipe:1');
  argv.push('-f', 'concat', '-safe', '0', '-i', list);
  if (audio) argv.push('-i', audio);
  argv.push('-map', '0:v:0');
  if (audio) argv.push('-map', '1:a:0');
  argv.push('-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', output);
  return argv;
}
