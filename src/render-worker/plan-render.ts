// Pure: the ffmpeg argv that renders one task in a single pass (spec §6), tested argument by
// argument in test/render-worker/plan-render.test.ts.
//
// Inputs, in this order:  0 the clip list (concat demuxer)   1 the voice
//                         2 the music, looped (when the task has music)
//                         then the frame layer, looped (when it has one), then the logo
import type { EncoderSpec } from '../shared/media/encoders.js';
import type { TaskMetadata } from '../shared/task.js';

export interface RenderInputs {
  videoList: string;
  voice: string;
  music: string | null;
  logo: string | null;
  /** A frame layer (borders, light leaks), blended with "screen" so its black is transparent. */
  frame?: string | null;
  output: string;
}

export interface RenderOptions {
  audioBitrate: string;
  /** Write `-progress` key=value lines to stdout (pipe:1). */
  progress: boolean;
}

/** Seconds as ffmpeg reads them, without float noise (125.70000000000002 -> "125.7"). */
export function secs(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

export function buildFilterGraph(meta: TaskMetadata, hasMusic: boolean, hasLogo: boolean, encoder: EncoderSpec, hasFrame = false): string {
  const [w, h] = meta.render.resolution.split('x').map(Number) as [number, number];
  const fps = meta.render.frame_rate;
  const chains: string[] = [];
  // Fit the footage: scale to fit inside and pad (letterbox), or scale to cover and crop.
  const fit =
    meta.render.fit === 'crop'
      ? `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`
      : `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black`;
  // fps= makes the output constant frame rate whatever the clips have; setsar=1 keeps square
  // pixels so players do not stretch the result.
  chains.push(`[0:v]${fit},setsar=1,fps=${fps},format=yuv420p[base]`);
  let video = '[base]';
  const frameIndex = hasMusic ? 3 : 2;
  const logoIndex = frameIndex + (hasFrame ? 1 : 0);
  if (hasFrame) {
    // The layer is brought to the output's size and rate, then screen-blended: black leaves
    // the footage as it is, light adds to it.
    chains.push(`[${frameIndex}:v]scale=${w}:${h},setsar=1,fps=${fps},format=yuv420p[frame]`);
    chains.push(`${video}[frame]blend=all_mode=screen:shortest=0:repeatlast=1[framed]`);
    video = '[framed]';
  }
  if (hasLogo) {
    const lw = even(w * meta.render.logo_width);
    const margin = even(Math.min(w, h) * 0.03);
    chains.push(`[${logoIndex}:v]scale=${lw}:-2,format=rgba[logo]`);
    // A still image ends after one frame; overlay repeats its last frame (eof_action=repeat).
    // overlay's default yuv420 mode converts only the logo (keeping its alpha); format=auto
    // would convert every full frame out of yuv420 and back, which cost about 25% of the
    // CPU of a 720p veryfast render (bench/render.ts).
    chains.push(`${video}[logo]overlay=x=${margin}:y=${margin}[logoed]`);
    video = '[logoed]';
  }
  chains.push(`${video}format=yuv420p${encoder.uploadFilter ? `,${encoder.uploadFilter}` : ''}[vout]`);

  const norm = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo';
  const { voice_volume: vv, music_volume: mv, fade_out_seconds: fade } = meta.audio;
  const d = meta.voice_duration;
  const fadeOut = fade > 0 && d > fade ? `,afade=t=out:st=${secs(d - fade)}:d=${secs(fade)}` : '';
  chains.push(`[1:a]${norm},volume=${vv}[vc]`);
  if (hasMusic) {
    chains.push(`[2:a]${norm},volume=${mv}[bg]`);
    // duration=first: the voice decides the length; normalize=0 keeps the levels of
    // metadata.json instead of amix's 1/n scaling.
    chains.push(`[vc][bg]amix=inputs=2:duration=first:dropout_transition=0:normalize=0${fadeOut}[aout]`);
  } else {
    chains.push(`[vc]anull${fadeOut}[aout]`);
  }
  return chains.join(';');
}

export function planRender(meta: TaskMetadata, inputs: RenderInputs, encoder: EncoderSpec, opts: RenderOptions): string[] {
  const hasMusic = inputs.music !== null;
  const hasLogo = inputs.logo !== null;
  // Warnings and errors only: stderr.log keeps what explains a failure, not per-stream chatter.
  const argv = ['-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'warning'];
  if (opts.progress) argv.push('-progress', 'pipe:1');
  argv.push(...encoder.globalArgs);
  // -safe 0: the list holds relative paths with ../ (they stay inside the root by construction).
  argv.push('-f', 'concat', '-safe', '0', '-i', inputs.videoList);
  argv.push('-i', inputs.voice);
  // The music loops for as long as the voice lasts.
  if (inputs.music !== null) argv.push('-stream_loop', '-1', '-i', inputs.music);
  const hasFrame = !!inputs.frame;
  if (inputs.frame) argv.push('-stream_loop', '-1', '-i', inputs.frame);
  if (inputs.logo !== null) argv.push('-i', inputs.logo);
  argv.push('-filter_complex', buildFilterGraph(meta, hasMusic, hasLogo, encoder, hasFrame));
  argv.push('-map', '[vout]', '-map', '[aout]');
  argv.push('-c:v', encoder.name, ...encoder.args);
  argv.push('-r', String(meta.render.frame_rate));
  argv.push('-c:a', 'aac', '-b:a', opts.audioBitrate, '-ar', '48000', '-ac', '2');
  argv.push('-t', secs(meta.voice_duration));
  argv.push('-movflags', '+faststart', '-f', 'mp4', inputs.output);
  return argv;
}
