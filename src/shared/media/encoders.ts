// H.264 encoders: how each is driven, and which of them really work on this node. An encoder
// listed by `ffmpeg -encoders` may still fail (no GPU, no driver, no free NVENC session), so
// detection is a real one-frame test encode, in `render.encoders` order.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ClipmillError } from '../errors.js';
import type { Config } from '../config.js';
import { exists } from '../fs.js';
import { ffmpegErrorLines } from './stderr.js';

/** What the timeline compiler needs to know about the chosen encoder. */
export interface EncoderSpec {
  name: string;
  hardware: boolean;
  /** Global options placed before the inputs (a VAAPI device). */
  globalArgs: string[];
  /** The last filters of the video chain, turning yuv420p frames into what the encoder takes. */
  uploadFilter: string | null;
  /** Quality and speed options from `render.encoderArgs`. */
  args: string[];
}

export function encoderSpec(name: string, config: Config): EncoderSpec {
  const args = [...(config.render.encoderArgs[name] ?? [])];
  switch (name) {
    case 'h264_vaapi':
      // VAAPI encodes GPU surfaces: upload the software frames at the end of the chain.
      return { name, hardware: true, globalArgs: ['-vaapi_device', config.render.vaapiDevice], uploadFilter: 'format=nv12,hwupload', args };
    case 'libx264':
    case 'libopenh264':
      return { name, hardware: false, globalArgs: [], uploadFilter: null, args };
    default:
      // NVENC, QSV and VideoToolbox take yuv420p system-memory frames and upload them themselves.
      return { name, hardware: true, globalArgs: [], uploadFilter: null, args };
  }
}

export interface EncoderTest {
  name: string;
  ok: boolean;
  /** ffmpeg's last error line when the test failed. */
  error: string | null;
  ms: number;
}

/** Encodes one 256x256 frame with `name` into a real MP4; ok when ffmpeg exits 0. */
export async function testEncoder(ffmpeg: string, name: string, config: Config, signal?: AbortSignal): Promise<EncoderTest> {
  const spec = encoderSpec(name, config);
  if (name === 'h264_vaapi' && !(await exists(config.render.vaapiDevice))) {
    return { name, ok: false, error: `no VAAPI device at ${config.render.vaapiDevice} (render.vaapiDevice)`, ms: 0 };
  }
  const dir = await mkdtemp(join(tmpdir(), 'clipmill-enc-'));
  const started = Date.now();
  try {
    const vf = ['format=yuv420p', ...(spec.uploadFilter ? [spec.uploadFilter] : [])].join(',');
    // 256x256: NVENC and QSV reject very small frames, and this is still instant.
    const argv = ['-hide_banner', '-nostdin', '-loglevel', 'error', ...spec.globalArgs, '-f', 'lavfi', '-i', 'color=c=gray:s=256x256:r=30:d=1', '-frames:v', '1', '-vf', vf, '-c:v', name, ...spec.args, '-f', 'mp4', '-y', join(dir, 'test.mp4')];
    const r = await execa(ffmpeg, argv, { reject: false, timeout: 30_000, ...(signal ? { cancelSignal: signal } : {}) });
    // A canceled test (shutdown) says nothing about the encoder: it is a cancellation, not a failure.
    if (r.isCanceled) throw new ClipmillError('SUBPROCESS_FAILED', `the test encode with ${name} was canceled`, { details: { canceled: true } });
    const error = r.failed ? (r.timedOut ? 'test encode timed out' : encoderError(r.stderr) ?? (r.exitCode === undefined ? `ffmpeg could not be started (${r.shortMessage})` : `exit code ${r.exitCode}`)) : null;
    return { name, ok: !r.failed, error, ms: Date.now() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The line of ffmpeg's stderr that says why an encoder failed. ffmpeg prints the cause first,
 * prefixed by the component ("[h264_nvenc @ 0x...] Cannot load libcuda.so.1"), then a generic
 * "Error initializing output stream" line; the cause is the useful one.
 */
export function encoderError(stderr: string): string | null {
  return ffmpegErrorLines(stderr)[0] ?? null;
}

export async function testEncoders(ffmpeg: string, config: Config, signal?: AbortSignal): Promise<EncoderTest[]> {
  const out: EncoderTest[] = [];
  // One after the other: parallel NVENC tests could exhaust a consumer card's session limit.
  for (const name of config.render.encoders) out.push(await testEncoder(ffmpeg, name, config, signal));
  return out;
}

/** The first encoder of `render.encoders` that passes its test encode, with all the results. */
export async function detectEncoder(ffmpeg: string, config: Config, signal?: AbortSignal): Promise<{ chosen: EncoderSpec | null; tests: EncoderTest[] }> {
  const tests: EncoderTest[] = [];
  for (const name of config.render.encoders) {
    const t = await testEncoder(ffmpeg, name, config, signal);
    tests.push(t);
    if (t.ok) return { chosen: encoderSpec(name, config), tests };
  }
  return { chosen: null, tests };
}
