// What a file the farm wrote really holds, before it is published (DESIGN invariant 2): ffmpeg
// can exit 0 and leave a truncated file (a full disk while writing the trailer), and a header
// can lie about the length. So the length of a conversion's output is measured by reading it
// through (decoding audio, which is cheap; demuxing every video packet, which catches a
// truncation without paying for a second decode) and compared with what was expected.
import { ClipmillError } from '../errors.js';
import { checkTimeoutMs, parseDecodedSeconds } from './audio.js';
import { runMedia } from './exec.js';
import { ffmpegErrorLines } from './stderr.js';

/** Seconds of `stream` that `file` really holds: audio decoded, video demuxed packet by packet. */
export async function measuredSeconds(ffmpeg: string, file: string, stream: 'audio' | 'video', opts: { expected?: number; signal?: AbortSignal | undefined } = {}): Promise<number> {
  const argv = ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', stream === 'audio' ? '0:a:0' : '0:v:0', ...(stream === 'video' ? ['-c', 'copy'] : []), '-f', 'null', '-'];
  const r = await runMedia(ffmpeg, argv, { what: 'the length check', timeoutMs: checkTimeoutMs(opts.expected ?? 3600), signal: opts.signal, details: { file } });
  const seconds = parseDecodedSeconds(r.stderr);
  if (r.failed || seconds === null) throw new ClipmillError('CONVERT_FAILED', `${file} cannot be read through: ${ffmpegErrorLines(r.stderr).slice(-1)[0] ?? `exit code ${r.exitCode}`}`, { details: { file } });
  return seconds;
}

/**
 * Throws OUTPUT_INCOMPLETE (recoverable: a truncated write is the machine's) unless `actual` is within `tolerance` seconds of `expected`. The caller
 * picks the tolerance: a frame or two of video, an MP3 frame plus the encoder's padding for audio.
 */
export function checkLength(what: string, actual: number, expected: number, tolerance: number): void {
  if (Math.abs(actual - expected) > tolerance) {
    throw new ClipmillError('OUTPUT_INCOMPLETE', `${what} holds ${actual.toFixed(3)} s, expected ${expected.toFixed(3)} s (± ${tolerance.toFixed(3)} s)`, { details: { actual_seconds: actual, expected_seconds: expected } });
  }
}

/** Audio written by us (an MP3 frame is 26 ms at 44.1 kHz; LAME adds up to two of delay and padding). */
export const AUDIO_LENGTH_TOLERANCE = 0.1;
