// Converting an original kept under scanned/<kind>/<category>/original/: footage is conformed
// to the concat-safe profile, music is loudness-normalized to MP3. The result is written under
// a dot-temp name, probed, and renamed to its final name (which carries the measured duration),
// so a crash leaves either nothing or the whole file; recover.ts finishes what a crash stopped.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { runMedia } from '../../shared/media/exec.js';
import { ClipmillError, errorMessage, isRecoverable, mayBlameInput } from '../../shared/errors.js';
import { fsyncPath, renameNoReplace } from '../../shared/fs.js';
import { readJsonOrNull } from '../../shared/json.js';
import { scannedMediaName } from '../../shared/layout.js';
import { loudnormSecondPass, measureLoudness } from '../../shared/media/audio.js';
import { probe, type ProbeInfo } from '../../shared/media/probe.js';
import { AUDIO_LENGTH_TOLERANCE, checkLength, measuredSeconds } from '../../shared/media/length.js';
import type { MainContext } from '../context.js';
import { conformArgv, conformDecision, musicArgv, type ConformDecision } from './conform.js';
import { SOURCE_SUFFIX, SourceRecordSchema, type SourceRecord } from './records.js';
import { loudnessTarget } from './music.js';
import { rejectFile } from './reject.js';
import type { AssetRecord } from '../../shared/assets.js';
import { exists } from '../../shared/fs.js';
import { narrationPartId, parseNarrationPartName, parseVersionedName, scannedImageName } from '../../shared/asset-names.js';
import { personVoiceDest, withVersionLock } from '../narrate/versions.js';
import { buildAssetRecord, writeAssetRecord, type AssetFacts } from './asset-record.js';
import { imageArgv, readOrientation } from './image.js';
import { SIDECAR_COPY_SUFFIX } from './sidecar.js';
import { conformTarget } from './video.js';
import { analyseBeats, writeBeats } from './beats.js';
import type { Beats } from '../../shared/media/beats.js';

type AssetSound = NonNullable<AssetRecord['sound']>;

export interface ConvertJob {
  kind: 'video' | 'frame' | 'music' | 'voice' | 'image' | 'narration';
  category: string;
  /** The story, for a voice. */
  story?: string;
  /** The campaign, for a narration part. */
  campaign?: string;
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
 * The sound of footage, which the concat-safe profile leaves out of the filed clip: the kept
 * original holds it. Recorded only when the original's audio decodes (an audio stream that does
 * not is no sound, not a reason to refuse the picture). `offset`: where the audio's first
 * sample lies on the filed clip's time (the render places the track by it): the original's
 * audio start relative to its video start, plus where the filed clip's first frame lies
 * (remuxing and fps= keep the picture's timing, so this holds for both).
 */
export async function originalSound(ctx: MainContext, original: string, before: ProbeInfo, filed: ProbeInfo, signal?: AbortSignal): Promise<AssetSound | undefined> {
  if (!before.audio || !before.video) return undefined;
  let seconds: number;
  try {
    seconds = await measuredSeconds(ctx.bins.ffmpeg.path, original, 'audio', { expected: before.audio.duration ?? before.duration, signal });
  } catch (err) {
    // A killed or timed-out decode is the machine's: the conversion is tried again.
    if (signal?.aborted || isRecoverable(err)) throw err;
    ctx.log.warn({ file: ctx.layout.rel(original) }, `${ctx.layout.rel(original)}: its audio does not decode (${errorMessage(err)}); the clip is filed without sound`);
    return undefined;
  }
  const [audioStart, videoStart] = [before.audio.startTime ?? 0, before.video.startTime ?? 0];
  // The decode reports where the audio ends on the file's time, which ffmpeg starts at the
  // file's first timestamp (the earlier stream's): an audio track starting later is shorter.
  const length = seconds - Math.max(0, audioStart - Math.min(audioStart, videoStart));
  if (!(length > 0.001)) return undefined;
  const offset = (filed.video?.startTime ?? 0) + audioStart - videoStart;
  return { path: ctx.layout.rel(original), duration: Math.round(length * 1000) / 1000, offset: Math.round(offset * 1000) / 1000 };
}

/**
 * Converts one original; when the file itself is at fault the original goes to trash/invalid/
 * with the reason; when the machine is ('retry': ffmpeg killed, a disk error), it stays.
 */
export async function convertOriginal(ctx: MainContext, job: ConvertJob, signal?: AbortSignal, opts: { lastTry?: boolean } = {}): Promise<{ status: 'done'; dest: string; record?: AssetRecord; beats?: Beats } | { status: 'failed' | 'retry'; why?: string }> {
  const { layout, log } = ctx;
  const source = await readSource(job.original);
  const started = performance.now();
  const speechDir = job.kind === 'voice' ? layout.scannedVoiceDir(job.category, job.story ?? '') : layout.scannedNarrationDir(job.category, job.campaign ?? '');
  const parent = job.kind === 'music' ? layout.scannedMusicDir(job.category) : job.kind === 'voice' || job.kind === 'narration' ? speechDir : job.kind === 'image' ? layout.scannedImageDir(job.category) : join(layout.scanned, job.kind, job.category);
  await mkdir(parent, { recursive: true });
  const imageExt = extname(job.original).slice(1).toLowerCase() as 'png' | 'jpg' | 'webp';
  const tmpExt = job.kind === 'image' ? imageExt : job.kind === 'music' || job.kind === 'voice' || job.kind === 'narration' ? 'mp3' : 'mp4';
  const tmp = join(parent, `.${job.id}.tmp-${randomBytes(4).toString('hex')}.${tmpExt}`);
  let what = '';
  /** A track's beats (analysed once, here), written beside it before it is renamed in. */
  let beats: Beats | undefined;
  try {
    let dest: string;
    let facts: AssetFacts;
    if (job.kind === 'music') {
      const target = loudnessTarget(ctx);
      const measured = source?.extra.loudness ?? (await measureLoudness(ctx.bins.ffmpeg.path, job.original, target, signal));
      await ffmpeg(ctx, musicArgv(job.original, tmp, loudnormSecondPass(target, measured), ctx.config.ingest.musicBitrate), source?.extra.decoded_seconds ?? ctx.config.ingest.musicMaxSeconds, signal);
      const seconds = await verifiedAudio(ctx, job, tmp, source, signal);
      dest = join(layout.scannedMusicDir(job.category), scannedMediaName(seconds, job.id, 'mp3'));
      facts = { id: job.id, duration: seconds };
      // The track as it will be filed (normalized): its onsets are where the render hears them.
      beats = await analyseBeats(ctx.bins.ffmpeg.path, tmp, { signal, log });
      what = `normalized ${Number.isFinite(measured.inputI) ? measured.inputI.toFixed(1) : measured.inputI} → ${target.lufs} LUFS; ${beats.usable ? `${beats.onsets.length} onsets, ${beats.tempo} bpm` : `no usable beats (${beats.reason})`}`;
    } else if (job.kind === 'voice' || job.kind === 'narration') {
      // Re-encoded with a Xing header, so that its header and every reader agree on its length.
      await ffmpeg(ctx, voiceArgv(job.original, tmp), source?.extra.decoded_seconds ?? ctx.config.ingest.voiceMaxSeconds, signal);
      const seconds = await verifiedAudio(ctx, job, tmp, source, signal);
      dest = join(speechDir, `${job.id}.mp3`);
      const name = `${job.id}.mp3`;
      const part = parseNarrationPartName(name);
      facts =
        job.kind === 'voice'
          ? { id: `${job.category}/${job.story ?? ''}/${job.id}`, duration: seconds }
          : { id: narrationPartId(job.category, job.campaign ?? '', name), duration: seconds, campaign: job.campaign ?? '', ...(part ? { part: part.part, take: part.take } : {}) };
      what = `re-encoded with a true header (${seconds.toFixed(2)} s)`;
    } else if (job.kind === 'image') {
      // Turned upright once, here, so that no reader needs to know about EXIF.
      const orientation = source?.extra.orientation ?? (await readOrientation(job.original));
      await ffmpeg(ctx, imageArgv(job.original, tmp, orientation, imageExt), 0, signal);
      const info = await probe(ctx.bins.ffprobe.path, tmp, { signal });
      if (!info.video) throw new ClipmillError('CONVERT_FAILED', 'the turned image holds no picture');
      dest = join(layout.scannedImageDir(job.category), scannedImageName(info.video.width, info.video.height, job.id, imageExt));
      facts = { id: job.id, width: info.video.width, height: info.video.height };
      what = `EXIF orientation ${orientation} applied (${info.video.width}x${info.video.height})`;
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
      // Decorative frames are overlays: only footage keeps a sound.
      const sound = job.kind === 'video' ? await originalSound(ctx, job.original, before, info, signal) : undefined;
      facts = { id: job.id, duration, width: info.video.displayWidth, height: info.video.displayHeight, ...(sound ? { sound } : {}) };
      what = `${decision.action === 'remux' ? 'rewrapped' : 'transcoded'} (${decision.reasons.join(', ')})${sound ? `; its sound (${sound.duration.toFixed(2)} s) stays in the original` : ''}`;
    }
    await fsyncPath(tmp);
    await mkdir(join(dest, '..'), { recursive: true });
    if (job.kind === 'voice') {
      // A person's voice for a synthesized chapter becomes its next version (narrate/versions.ts),
      // under the lock the narration queue takes to file versions.
      const first = dest;
      return await withVersionLock(dirname(first), basename(first), async () => {
        const to = await personVoiceDest(first, null);
        const version = parseVersionedName(basename(to)).version;
        return fileConverted(to, { ...facts, id: `${job.category}/${job.story ?? ''}/${basename(to).replace(/\.mp3$/i, '')}`, origin: 'person', ...(version > 1 ? { version } : {}) });
      });
    }
    return await fileConverted(dest, facts);
  } catch (err) {
    return await failed(err);
  }

  async function fileConverted(dest: string, facts: AssetFacts): Promise<{ status: 'done'; dest: string; record?: AssetRecord; beats?: Beats }> {
    // The asset record before the rename (a file in scanned/ always has its record), with what
    // the raw sidecar said (kept in the source record); a track's beats file too.
    const rawPathOf = source?.raw_path ?? layout.rel(job.original);
    const filedBeats = beats ? await writeBeats(dest, beats) : undefined;
    const withBeats = filedBeats ? { beats: filedBeats } : {};
    const record = await writeAssetRecord(dest, buildAssetRecord(job.kind, job.category, rawPathOf, source?.sidecar, facts));
    try {
      await renameNoReplace(tmp, dest);
    } catch (err) {
      // Same id, same duration: this original was converted before (the same file dropped
      // again, or a conversion finished just before a crash). Keep what is there.
      if (!(err instanceof ClipmillError && err.code === 'DUPLICATE')) throw err;
      await rm(tmp, { force: true });
      log.info({ file: layout.rel(job.original) }, `${layout.rel(job.original)} was converted before: ${layout.rel(dest)} is kept`);
      return { status: 'done', dest, record, ...withBeats };
    }
    await fsyncPath(join(dest, '..'));
    log.info({ file: layout.rel(job.original) }, `Converted ${layout.rel(job.original)} → ${layout.rel(dest)}: ${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { status: 'done', dest, record, ...withBeats };
  }

  async function failed(err: unknown): Promise<{ status: 'failed' | 'retry'; why: string }> {
    await rm(tmp, { force: true });
    if (signal?.aborted) throw err;
    if (isRecoverable(err) && (!opts.lastTry || !mayBlameInput(err))) {
      log.error({ file: layout.rel(job.original), err }, `Could not convert ${layout.rel(job.original)} (${errorMessage(err)}); the original stays and will be converted again`);
      return { status: 'retry', why: errorMessage(err) };
    }
    const rawPath = source?.raw_path ?? layout.rel(job.original);
    const trashRel = rawPath.startsWith('raw/')
      ? rawPath.slice(4)
      : job.kind === 'voice'
        ? `story/${job.category}/${job.story ?? ''}/voice/${basename(job.original)}`
        : job.kind === 'narration'
          ? `narration/${job.category}/${job.campaign ?? ''}/${basename(job.original)}`
          : `${job.kind}/${job.category}/${basename(job.original)}`;
    const wrapped = err instanceof ClipmillError && !isRecoverable(err) ? err : new ClipmillError('CONVERT_FAILED', errorMessage(err), { cause: err });
    try {
      await rejectFile(ctx, job.original, trashRel, rawPath, new ClipmillError(wrapped.code, wrapped.message, { details: { ...wrapped.details, ...(source ? { probe: source.probe } : {}) } }));
      await rm(`${job.original}${SOURCE_SUFFIX}`, { force: true });
      // The raw sidecar kept beside the original goes along (nothing an operator dropped is deleted).
      const sidecarCopy = `${job.original}${SIDECAR_COPY_SUFFIX}`;
      if (await exists(sidecarCopy)) await rejectFile(ctx, sidecarCopy, `${trashRel}.json`, `${rawPath}.json`, new ClipmillError(wrapped.code, `its file ${rawPath} was rejected: ${wrapped.message}`));
    } catch (moveErr) {
      log.error({ err: moveErr }, `Could not convert ${layout.rel(job.original)} (${errorMessage(err)}) nor move it to trash/invalid: ${errorMessage(moveErr)}`);
      // Not rejected after all: the original stays, and is tried again.
      return { status: 'retry', why: `${errorMessage(err)}; and moving it to trash/invalid failed: ${errorMessage(moveErr)}` };
    }
    return { status: 'failed', why: errorMessage(err) };
  }
}
