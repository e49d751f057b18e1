// The compiler (DESIGN §2, §3): (timeline, local paths, encoder) -> the argv of ONE ffmpeg
// process, and the small files it reads (concat lists, ASS documents), which the caller
// writes before running it. Pure and tested argument by argument in
// test/shared/timeline/compile.test.ts; test/shared/timeline/render.test.ts renders every
// element for real and probes the pixels and samples.
//
// The graph: video segments -> base (video.ts) -> layers in order (layers.ts) -> effects ->
// the encoder's format; audio tracks -> mix -> speed and pitch (audio.ts).
import type { EncoderSpec } from '../media/encoders.js';
import { audioEncoderArgv, buildAudio } from './audio.js';
import { even } from './fit.js';
import { Graph, secs, type AuxFile } from './graph.js';
import { buildLayers } from './layers.js';
import { expandCaptions } from './captions.js';
import type { Word } from '../words.js';
import type { Effects, Timeline } from './schema.js';
import type { TextFonts } from './text/fonts.js';
import { buildVideo, type SourceInfo } from './video.js';

export interface CompileInputs {
  /** Every file the timeline names -> the local path ffmpeg reads. */
  paths: ReadonlyMap<string, string>;
  /** Picture sizes of the video files, when known: clips of different sizes are not concatenated in one decoder. */
  sources?: ReadonlyMap<string, SourceInfo>;
  /** Seconds of the audio files, when known: a track without an out point ends, and fades out, where its file does. */
  durations?: ReadonlyMap<string, number>;
  /** The fonts of the text layers (planFonts); needed only when there are text layers (captions included). */
  fonts?: TextFonts;
  /** The words of each captions layer's words file (prepare.ts captionWords); needed only when there are captions. */
  captions?: ReadonlyMap<string, readonly Word[]>;
  /** Where the auxiliary files go (the caller writes them). */
  workDir: string;
  output: string;
}

export interface CompileOptions {
  audioBitrate: string;
  /** Write `-progress` key=value lines to stdout (pipe:1). */
  progress: boolean;
}

/** What the output must be, for verification. */
export interface Expectation {
  width: number;
  height: number;
  fps: number;
  /** Seconds, after effects.speed. */
  duration: number;
  audio: boolean;
}

export interface Compiled {
  argv: string[];
  files: AuxFile[];
  expect: Expectation;
}

/** Short side of a draft render (DESIGN §1 Quality). */
export const DRAFT_SHORT_SIDE = 480;

/** The size rendered: the output's, or scaled down to DRAFT_SHORT_SIDE for a draft. */
export function renderSize(output: Timeline['output']): { width: number; height: number; scale: number } {
  const short = Math.min(output.width, output.height);
  if (output.quality !== 'draft' || short <= DRAFT_SHORT_SIDE) return { width: output.width, height: output.height, scale: 1 };
  const scale = DRAFT_SHORT_SIDE / short;
  return { width: even(output.width * scale), height: even(output.height * scale), scale };
}

const PRESETS: Record<string, { draft: string; high: string }> = {
  libx264: { draft: 'ultrafast', high: 'slow' },
  h264_nvenc: { draft: 'p1', high: 'p7' },
  h264_qsv: { draft: 'veryfast', high: 'veryslow' },
};

/** The encoder's configured arguments with the preset of the quality (normal keeps them). */
export function qualityArgs(encoder: EncoderSpec, quality: Timeline['output']['quality']): string[] {
  const preset = PRESETS[encoder.name];
  if (quality === 'normal' || !preset) return [...encoder.args];
  const args = [...encoder.args];
  const i = args.indexOf('-preset');
  if (i >= 0 && i + 1 < args.length) args[i + 1] = preset[quality];
  else args.push('-preset', preset[quality]);
  return args;
}

/** The whole-video filters of the effects (empty when they change nothing). */
export function videoEffects(e: Effects, fps: number): string[] {
  const f: string[] = [];
  const eq: string[] = [];
  if (e.contrast !== 1) eq.push(`contrast=${e.contrast}`);
  if (e.brightness !== 0) eq.push(`brightness=${e.brightness}`);
  if (e.saturation !== 1) eq.push(`saturation=${e.saturation}`);
  if (e.gamma !== 1) eq.push(`gamma=${e.gamma}`);
  if (eq.length) f.push(`eq=${eq.join(':')}`);
  if (e.flip) f.push('hflip');
  // fps ends on the last frame's timestamp, one frame short of the sped-up length; the frame
  // held once more is cut by -t.
  if (e.speed !== 1) f.push(`setpts=PTS/${e.speed}`, `fps=${fps}`, 'tpad=stop_mode=clone:stop=1');
  return f;
}

export function compileTimeline(tl: Timeline, inputs: CompileInputs, encoder: EncoderSpec, opts: CompileOptions): Compiled {
  const g = new Graph();
  const size = renderSize(tl.output);
  const fps = tl.output.fps;
  const duration = tl.output.duration;
  const base = buildVideo(g, tl, { paths: inputs.paths, sources: inputs.sources, width: size.width, height: size.height, fps, workDir: inputs.workDir }, duration);
  // Captions are drawn as the text layers they expand into (captions.ts), in their place.
  const layered = buildLayers(g, expandCaptions(tl, inputs.captions ?? new Map()), base, { paths: inputs.paths, fonts: inputs.fonts, canvas: size, fps, workDir: inputs.workDir, duration });
  const tail = [...videoEffects(tl.effects, fps), 'format=yuv420p', ...(encoder.uploadFilter ? [encoder.uploadFilter] : [])];
  g.chain(`${layered}${tail.join(',')}[vout]`);
  const audio = buildAudio(g, tl, inputs.paths, duration, inputs.durations);

  // Warnings and errors only: stderr.log keeps what explains a failure, not per-stream chatter.
  const argv = ['-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'warning'];
  if (opts.progress) argv.push('-progress', 'pipe:1');
  // -copyts keeps the concat demuxer's timestamps as they are, so that the frames decoded
  // before an inpoint can be told apart and dropped (video.ts).
  argv.push('-copyts', ...encoder.globalArgs);
  for (const input of g.inputs) argv.push(...input);
  argv.push(...g.filterArgs(inputs.workDir));
  argv.push('-map', '[vout]');
  if (audio) argv.push('-map', audio);
  argv.push('-c:v', encoder.name, ...qualityArgs(encoder, tl.output.quality), '-r', String(fps));
  if (audio) argv.push(...audioEncoderArgv(opts.audioBitrate));
  const seconds = duration / tl.effects.speed;
  argv.push('-t', secs(seconds), '-movflags', '+faststart', '-f', 'mp4', inputs.output);
  return { argv, files: g.files, expect: { width: size.width, height: size.height, fps, duration: seconds, audio: audio !== null } };
}
