// "Decode a sample, not only the header": a file whose header is intact can still be cut
// short (a copy that stopped) or corrupt inside. Decoding a second at the start and a second
// at the end catches both without decoding whole multi-GB files. Both samples are decoded
// by one ffmpeg process (two inputs on the same file): process start-up is most of the cost
// for short clips (bench/ingest.ts).
import { runMedia } from './exec.js';
import { ffmpegErrorLines } from './stderr.js';

export interface DecodeCheck {
  ok: boolean;
  /** Why not, in ffmpeg's words where it gave any. */
  reason: string | null;
}

/** Throws SUBPROCESS_FAILED when the check itself did not complete (ffmpeg killed, timed out): that says nothing about the file. */
export async function decodeCheck(ffmpeg: string, file: string, duration: number, seconds: number, signal?: AbortSignal): Promise<DecodeCheck> {
  const both = duration > 2 * seconds;
  const argv = ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-t', String(seconds), '-i', file];
  if (both) argv.push('-sseof', `-${seconds}`, '-i', file);
  argv.push('-map', '0:v:0', ...(both ? ['-map', '1:v:0'] : []), '-f', 'framecrc', '-');
  // -xerror: stop at the first decoding error instead of concealing it.
  const r = await runMedia(ffmpeg, argv, { what: 'the decode check', timeoutMs: 120_000, signal, details: { file } });
  const frames = [0, 0];
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('0,')) frames[0]!++;
    else if (line.startsWith('1,')) frames[1]!++;
  }
  const err = ffmpegErrorLines(r.stderr);
  // With two inputs in one process, -xerror stops at the first error from either, so the
  // failure cannot always be placed: name both samples.
  const samples = both ? `the first and last ${seconds} s` : `the first ${seconds} s`;
  if (r.failed) return { ok: false, reason: `decoding ${samples} failed: ${r.timedOut ? 'timed out' : (err[0] ?? `exit code ${r.exitCode}`)}` };
  const where = frames[0] === 0 ? 'the start' : `the last ${seconds} s`;
  if (frames[0] === 0 || (both && frames[1] === 0)) return { ok: false, reason: `no frame could be decoded at ${where}${err[0] ? ` (${err[0]})` : ''}` };
  return { ok: true, reason: null };
}
