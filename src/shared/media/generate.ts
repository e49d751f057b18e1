// Media made from nothing, with FFmpeg's lavfi sources (and espeak-ng for speech): the demo's
// sample root and the tests' fixtures. No binary blobs live in the repository.
import { execa } from 'execa';
import { ClipmillError } from '../errors.js';

async function ff(ffmpeg: string, args: string[]): Promise<void> {
  const r = await execa(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { reject: false, timeout: 120_000 });
  if (r.failed) throw new ClipmillError('RENDER_FAILED', `ffmpeg could not generate sample media: ${r.stderr.trim().split('\n').slice(-1)[0] || `exit code ${r.exitCode}`}`);
}

export interface ClipSpec {
  /** A lavfi video source with its options but without size and rate, e.g. "testsrc2". */
  source: string;
  width: number;
  height: number;
  fps: number;
  seconds: number;
}

/** An H.264 yuv420p MP4 with no audio: footage that ingest accepts as it is. */
export async function makeClip(ffmpeg: string, out: string, spec: ClipSpec): Promise<void> {
  const sep = spec.source.includes('=') ? ':' : '=';
  await ff(ffmpeg, ['-f', 'lavfi', '-i', `${spec.source}${sep}s=${spec.width}x${spec.height}:r=${spec.fps}`, '-t', String(spec.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-an', '-f', 'mp4', out]);
}

/** An MP3 of a few sine tones: a stand-in music bed, or (short, one tone) a stand-in voice. */
export async function makeTone(ffmpeg: string, out: string, opts: { seconds: number; freqs: number[]; sampleRate?: number }): Promise<void> {
  const expr = opts.freqs.map((f) => `0.2*sin(2*PI*${f}*t)`).join('+');
  // A slow tremolo so that the result is not a flat test tone.
  await ff(ffmpeg, ['-f', 'lavfi', '-i', `aevalsrc='(${expr})*(0.75+0.25*sin(2*PI*0.5*t))':s=${opts.sampleRate ?? 44100}:d=${opts.seconds}`, '-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3', out]);
}

/** A spoken MP3 from text, with espeak-ng. */
export async function makeSpeech(ffmpeg: string, out: string, text: string, tmpWav: string): Promise<void> {
  const r = await execa('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', tmpWav, text], { reject: false, timeout: 60_000 });
  if (r.failed) {
    const missing = (r as { code?: string }).code === 'ENOENT';
    throw new ClipmillError('RENDER_FAILED', missing ? "espeak-ng is not installed; 'npm run demo' installs it, or: apt-get install espeak-ng" : `espeak-ng failed: ${r.stderr.trim()}`);
  }
  await ff(ffmpeg, ['-i', tmpWav, '-c:a', 'libmp3lame', '-b:a', '96k', '-f', 'mp3', out]);
}

/** A round logo PNG with transparency, drawn with geq (no fonts needed). */
export async function makeLogo(ffmpeg: string, out: string, size = 256): Promise<void> {
  const r = size / 2;
  const inner = `lt(hypot(X-${r},Y-${r}),${r * 0.92})`;
  const ring = `lt(hypot(X-${r},Y-${r}),${r * 0.62})`;
  await ff(ffmpeg, [
    '-f', 'lavfi', '-i', `color=c=black:s=${size}x${size},format=rgba`,
    '-vf', `geq=r='if(${ring},255,40)':g='if(${ring},190,120)':b='if(${ring},40,220)':a='if(${inner},235,0)'`,
    '-frames:v', '1', '-f', 'image2', out,
  ]);
}
