// The concat-safe profile of a resolution class (DESIGN §3): H.264, yuv420p, square pixels,
// constant frame rate equal to render.fps, unrotated, even size, no audio, in MP4. Clips that
// already fit are moved as they are; the rest are conformed once, here, so that no render
// ever pays for it. conformDecision and conformArgv are pure.
import type { ProbeInfo } from '../../shared/media/probe.js';

export interface ConformTarget {
  fps: number;
  preset: string;
  crf: number;
}

export type ConformDecision = { action: 'move' } | { action: 'remux' | 'transcode'; reasons: string[] };

export function conformDecision(info: ProbeInfo, ext: string, target: ConformTarget): ConformDecision {
  const v = info.video;
  if (!v) throw new Error('conformDecision needs a video stream');
  const transcode: string[] = [];
  if (v.codec !== 'h264') transcode.push(`codec ${v.codec} is not H.264`);
  if (v.pixFmt !== 'yuv420p') transcode.push(`pixel format ${v.pixFmt ?? 'unknown'} is not yuv420p`);
  if (v.rotation) transcode.push(`rotated ${v.rotation}°`);
  if (v.width % 2 || v.height % 2) transcode.push(`odd size ${v.width}x${v.height}`);
  if (v.sar !== null && Math.abs(v.sar - 1) > 0.001) transcode.push(`non-square pixels (SAR ${v.sar.toFixed(3)})`);
  const vfr = v.fps !== null && v.baseFps !== null && Math.abs(v.fps - v.baseFps) > 0.01;
  if (vfr) transcode.push(`variable frame rate (average ${v.fps!.toFixed(2)} fps)`);
  else if (v.fps === null || Math.abs(v.fps - target.fps) > 0.01) transcode.push(`${v.fps === null ? 'unknown' : v.fps.toFixed(2)} fps is not ${target.fps} fps`);
  if (transcode.length) return { action: 'transcode', reasons: transcode };
  const remux: string[] = [];
  if (info.audio) remux.push('has an audio track');
  if (ext !== '.mp4') remux.push(`${ext} container`);
  if (remux.length) return { action: 'remux', reasons: remux };
  return { action: 'move' };
}

/** ffmpeg argv turning a validated original into a conforming MP4 (never for 'move'). */
export function conformArgv(input: string, output: string, decision: Exclude<ConformDecision, { action: 'move' }>, target: ConformTarget): string[] {
  const argv = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', input, '-map', '0:v:0'];
  if (decision.action === 'remux') argv.push('-c:v', 'copy');
  else {
    // Rotation is applied by ffmpeg's autorotate on input; scale by the SAR to square pixels
    // and round to even sizes; fps= turns variable frame rate into constant.
    argv.push('-vf', `scale=trunc(iw*sar/2)*2:trunc(ih/2)*2,setsar=1,fps=${target.fps},format=yuv420p`);
    argv.push('-c:v', 'libx264', '-preset', target.preset, '-crf', String(target.crf));
  }
  argv.push('-an', '-sn', '-dn', '-map_metadata', '-1', '-movflags', '+faststart', '-f', 'mp4', output);
  return argv;
}

/** ffmpeg argv for normalized music: the second loudnorm pass, encoded to MP3. */
export function musicArgv(input: string, output: string, secondPassFilter: string, bitrate: string): string[] {
  // loudnorm resamples to 192 kHz internally: set the output rate explicitly.
  return ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', input, '-map', '0:a:0', '-af', secondPassFilter, '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', bitrate, '-map_metadata', '-1', '-f', 'mp3', output];
}
