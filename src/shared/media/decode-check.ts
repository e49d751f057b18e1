// "Decode a sample, not only the header": a file whose header is intact can still be cut
// short (a copy that stopped) or corrupt inside. Decoding a second at the start and a second
// at the end catches both without decoding whole multi-GB files.
import { execa } from 'execa';

export interface DecodeCheck {
  ok: boolean;
  /** Why not, in ffmpeg's words where it gave any. */
  reason: string | null;
}

async function decodeAt(ffmpeg: string, file: string, at: number, seconds: number, signal?: AbortSignal): Promise<DecodeCheck> {
  // -xerror: stop at the first decoding error instead of concealing it.
  const r = await execa(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-ss', at.toFixed(3), '-i', file, '-map', '0:v:0', '-t', String(seconds), '-f', 'framecrc', '-'], {
    reject: false,
    timeout: 120_000,
    ...(signal ? { cancelSignal: signal } : {}),
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.isCanceled) return { ok: false, reason: 'canceled' };
  const frames = r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const err = r.stderr.trim().split('\n').filter(Boolean).map((l) => l.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, ''));
  if (r.failed) return { ok: false, reason: `decoding at ${at.toFixed(1)} s failed: ${r.timedOut ? 'timed out' : (err[0] ?? `exit code ${r.exitCode}`)}` };
  if (frames === 0) return { ok: false, reason: `no frame could be decoded at ${at.toFixed(1)} s${err[0] ? ` (${err[0]})` : ''}` };
  return { ok: true, reason: null };
}

/** Decodes `seconds` of video at the start and, for longer files, at the end. */
export async function decodeCheck(ffmpeg: string, file: string, duration: number, seconds: number, signal?: AbortSignal): Promise<DecodeCheck> {
  const first = await decodeAt(ffmpeg, file, 0, seconds, signal);
  if (!first.ok || duration <= 2 * seconds) return first;
  return decodeAt(ffmpeg, file, Math.max(0, duration - seconds), seconds, signal);
}
