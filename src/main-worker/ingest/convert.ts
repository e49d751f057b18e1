// Converting an original kept under scanned/<kind>/<category>/original/: footage is conformed
// to the concat-safe profile, music is loudness-normalized to MP3. The result is written under
// a dot-temp name, probed, and renamed to its final name (which carries the measured duration),
// so a crash leaves either nothing or the whole file; recover.ts finishes what a crash stopped.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { runMedia } from '../../shared/media/exec.js';
import { ClipmillError, errorMessage, isRecoverable, mayBlameInput } from '../../shared/errors.js';
import { fsyncPath, renameNoReplace } from '../../shared/fs.js';
import { readJsonOrNull } from '../../shared/json.js';
import { scannedMediaName } from '../../shared/layout.js';
import { loudnormSecondPass, measureLoudness } from '../../shared/media/audio.js';
import { probe } from '../../shared/media/probe.js';
import { AUDIO_LENGTH_TOLERANCE, checkLength, measuredSeconds } from '../../shared/media/length.js';
import type { MainContext } from '../context.js';
import { conformArgv, conformDecision, musicArgv, type ConformDecision } from './conform.js';
import { SOURCE_SUFFIX, SourceRecordSchema, type SourceRecord } from './records.js';
import { loudnessTarget } from './music.js';
import { rejectFile } from './reject.js';
import { conformTarget } from './video.js';

export interface ConvertJob {
  kind: 'video' | 'frame' | 'music' | 'voice';
  category: string;
  /** The story, for a voice. */
  story?: string;
  /** Absolute path of the original. */
  original: string;
  id: string;
}

/** The original's source record, or null when it is missing, unreadable or corrupt (then what it held is measured again). */
async function readSource(original: string): Promise<SourceRecord | null> {
  return readJsonOrNull(SourceRecordSchema, `${original}${SOURCE_SUFFIX}`);
}

/** The longest a conversion of `seconds` of media may run: 10 min plus 10x realtime (4K HEVC to H.264 on two cores runs at about 0.3x). */
export function convertTimeoutMs(seconds: number): number {
  return 600_000 + Math.ceil(Math.max(0, seconds) * 10_000);
}

async function ffmpeg(ctx: MainContext, argv: string[], seconds: number, signal?: AbortSignal): Promise<void> {
  // A full disk, a quota or an I/O error is the machine's, whatever the exit status (ffmpeg 5.1
  // exits 0 after "Error writing trailer ...: No space left on device"): the original stays.
  const r = await runMedia(ctx.bins.ffmpeg.path, argv, { what: 'ffmpeg', timeoutMs: convertTimeoutMs(seconds), signal });
  if (r.failed) throw new ClipmillError('CONVERT_FAILED', `ffmpeg failed (${r.signal ?? `exit code ${r.exitCode}`}): ${r.stderr.trim().split('\n').slice(-2).join(' ') || 'no output'}`);
}

/** MP3 at the same quality LAME would pick for speech, with a Xing header (ffmpeg's default). */
export function voiceArgv(src: string, dst: string): string[] {
  return ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', src, '-map', '0:a:0', '-map_metadata', '-1', '-c:a', 'libmp3lame', '-q:a', '2', '-write_xing', '1', '-f', 'mp3', dst];
}

/**
 * The converted audio's true length, after checking it against the original's decoded length
 * (measured at validation, or now when the record does not have it): OUTPUT_INCOMPLETE otherwise.
 */
async function verifiedAudio(ctx: MainContext, job: ConvertJob, tmp: string, source: SourceRecord | null, signal?: AbortSignal): Promise<number> {
  const ffmpegPath = ctx.bins.ffmpeg.path;
  const expected = source?.extra.decoded_seconds ?? (await measuredSeconds(ffmpegPath, job.original, 'audio', { signal }));
  const seconds = await measuredSeconds(ffmpegPath, tmp, 'audio', { expected, signal });
  checkLength(`the converted ${ctx.layout.rel(job.original)}`, seconds, expected, AUDIO_LENGTH_TOLERANCE);
  return seconds;
}

/**
 * Converts one original; when the file itself is at fault the original goes to trash/invalid/
 * with the reason; when the machine is ('retry': ffmpeg killed, a disk error), it stays.
 */
export async function convertOriginal(ctx: MainContext, job: ConvertJob, signal?: AbortSignal, opts: { lastTry?: boolean } = {}): Promise<{ status: 'done'; dest: string } | { status: 'failed' | 'retry' }> {
  const { layout, log } = ctx;
  const source = await readSource(job.original);
  const started = performance.now();
  const audio = job.kind === 'music' || job.kind === 'voice';
  const parent = job.kind === 'music' ? layout.scannedMusicDir(job.category) : job.kind === 'voice' ? layout.scannedVoiceDir(job.category, job.story ?? '') : join(layout.scanned, job.kind, job.category);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${job.id}.tmp-${randomBytes(4).toString('hex')}.${audio ? 'mp3' : 'mp4'}`);
  try {
    let dest: string;
    let what: string;
    if (job.kind === 'music') {
      const target = loudnessTarget(ctx);
      const measured = source?.extra.loudness ?? (await measureLoudness(ctx.bins.ffmpeg.path, job.original, target, signal));
      await ffmpeg(ctx, musicArgv(job.original, tmp, loudnormSecondPass(target, measured), ctx.config.ingest.musicBitrate), source?.extra.decoded_seconds ?? ctx.config.ingest.musicMaxSeconds, signal);
      const seconds = await verifiedAudio(ctx, job, tmp, source, signal);
      dest = join(layout.scannedMusicDir(job.category), scannedMediaName(seconds, job.id, 'mp3'));
      what = `normalized ${Number.isFinite(measured.inputI) ? measured.inputI.toFixed(1) : measured.inputI} → ${target.lufs} LUFS`;
    } else if (job.kind === 'voice') {
      // Re-encoded with a Xing header, so that its header and every reader agree on its length.
      await ffmpeg(ctx, voiceArgv(job.original, tmp), source?.extra.decoded_seconds ?? ctx.config.ingest.voiceMaxSeconds, signal);
      const seconds = await verifiedAudio(ctx, job, tmp, source, signal);
      dest = join(layout.scannedVoiceDir(job.category, job.story ?? ''), `${job.id}.mp3`);
      what = `re-encoded with a true header (${seconds.toFixed(2)} s)`;
    } else {
      const before = await probe(ctx.bins.ffprobe.path, job.original, { signal });
      const decided = conformDecision(before, extname(job.original).toLowerCase(), conformTarget(ctx));
      // An original that meets the profile (settings changed since) is still rewrapped cleanly.
      const decision: Exclude<ConformDecision, { action: 'move' }> = decided.action === 'move' ? { action: 'remux', reasons: ['already conforming'] } : decided;
      await ffmpeg(ctx, conformArgv(job.original, tmp, decision, conformTarget(ctx)), before.video?.duration ?? before.duration, signal);
      const info = await probe(ctx.bins.ffprobe.path, tmp, { signal });
      if (!info.video) throw new ClipmillError('CONVERT_FAILED', 'the conformed file has no video stream');
      const duration = info.video.duration ?? info.duration;
      // Read the output through: a truncated write is not published.
      const expected = before.video?.duration ?? before.duration;
      const fps = info.video.fps ?? ctx.config.render.fps;
      checkLength(`the conformed ${layout.rel(job.original)}`, await measuredSeconds(ctx.bins.ffmpeg.path, tmp, 'video', { expected, signal }), expected, 2 / fps + 0.05);
      dest = join(layout.scannedClipDir(job.kind, job.category, info.video.displayWidth, info.video.displayHeight), scannedMediaName(duration, job.id, 'mp4'));
      what = `${decision.action === 'remux' ? 'rewrapped' : 'transcoded'} (${decision.reasons.join(', ')})`;
    }
    await fsyncPath(tmp);
    await mkdir(join(dest, '..'), { recursive: true });
    try {
      await renameNoReplace(tmp, dest);
    } catch (err) {
      // Same id, same duration: this original was converted before (the same file dropped
      // again, or a conversion finished just before a crash). Keep what is there.
      if (!(err instanceof ClipmillError && err.code === 'DUPLICATE')) throw err;
      await rm(tmp, { force: true });
      log.info({ file: layout.rel(job.original) }, `${layout.rel(job.original)} was converted before: ${layout.rel(dest)} is kept`);
      return { status: 'done', dest };
    }
    await fsyncPath(join(dest, '..'));
    log.info({ file: layout.rel(job.original) }, `Converted ${layout.rel(job.original)} → ${layout.rel(dest)}: ${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { status: 'done', dest };
  } catch (err) {
    await rm(tmp, { force: true });
    if (signal?.aborted) throw err;
    if (isRecoverable(err) && (!opts.lastTry || !mayBlameInput(err))) {
      log.error({ file: layout.rel(job.original), err }, `Could not convert ${layout.rel(job.original)} (${errorMessage(err)}); the original stays and will be converted again`);
      return { status: 'retry' };
    }
    const rawPath = source?.raw_path ?? layout.rel(job.original);
    const trashRel = rawPath.startsWith('raw/') ? rawPath.slice(4) : job.kind === 'voice' ? `story/${job.category}/${job.story ?? ''}/voice/${basename(job.original)}` : `${job.kind}/${job.category}/${basename(job.original)}`;
    const wrapped = err instanceof ClipmillError && !isRecoverable(err) ? err : new ClipmillError('CONVERT_FAILED', errorMessage(err), { cause: err });
    try {
      await rejectFile(ctx, job.original, trashRel, rawPath, new ClipmillError(wrapped.code, wrapped.message, { details: { ...wrapped.details, ...(source ? { probe: source.probe } : {}) } }));
      await rm(`${job.original}${SOURCE_SUFFIX}`, { force: true });
    } catch (moveErr) {
      log.error({ err: moveErr }, `Could not convert ${layout.rel(job.original)} (${errorMessage(err)}) nor move it to trash/invalid: ${errorMessage(moveErr)}`);
      // Not rejected after all: the original stays, and is tried again.
      return { status: 'retry' };
    }
    return { status: 'failed' };
  }
}
