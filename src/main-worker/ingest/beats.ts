// The beats of a music track (src/shared/media/beats.ts), analysed once at ingest from the
// normalized track about to be filed, and written as `<scanned track>.beats.json` before the
// track is renamed in (like its asset record): a track in scanned/ has its beats file, unless
// it was filed before beat analysis existed (the planner then treats it as having no usable
// beats and cuts at fixed lengths, saying so in the task's report).
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage, isRecoverable } from '../../shared/errors.js';
import { exists } from '../../shared/fs.js';
import { readJsonOrNull, writeJson } from '../../shared/json.js';
import { BEATS_RATE, BeatsSchema, beatsPath, type Beats } from '../../shared/media/beats.js';
import type { Logger } from '../../shared/log.js';
import { decodePcm } from '../narrate/pcm.js';
import { detectBeatsInWorker } from './beats-worker.js';

/** Seconds of a track analysed at most: a short video uses its beginning; a one-hour mix is not decoded whole into memory (10 min of 22 kHz mono is 26 MB). */
export const BEATS_MAX_SECONDS = 600;

/**
 * The beats of `track` (an audio file): decoded once to mono PCM at 22.05 kHz, into a dot-temp
 * file beside it that is removed afterwards, and analysed in a worker thread (beats-worker.ts:
 * the event loop keeps running). A track that does not decode, or an analysis that
 * throws, gives "no usable beats" with the reason: the track itself was already validated, and
 * a failed analysis is not a reason to refuse it. A cancelled or machine failure (recoverable:
 * a full disk, ffmpeg killed) is thrown, so that the conversion is tried again.
 */
export async function analyseBeats(ffmpeg: string, track: string, opts: { signal?: AbortSignal | undefined; log?: Logger } = {}): Promise<Beats> {
  // A dot-temp name recovery removes after a crash (recover.ts isOurTemp: ".tmp-").
  const tmp = join(dirname(track), `.beats.tmp-${randomBytes(4).toString('hex')}.pcm`);
  try {
    const pcm = await decodePcm(ffmpeg, track, tmp, BEATS_RATE, 'UNDECODABLE', opts.signal, BEATS_MAX_SECONDS);
    return await detectBeatsInWorker(pcm.samples, opts.signal);
  } catch (err) {
    if (opts.signal?.aborted || isRecoverable(err)) throw err;
    opts.log?.warn({ file: track, err }, `Beat analysis of ${track} failed (${errorMessage(err)}): it is filed with no usable beats`);
    return { schema_version: 1, analysed_seconds: 0, tempo: null, onsets: [], usable: false, reason: `the analysis failed: ${errorMessage(err)}` };
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Writes the beats of `dest` before `dest` is renamed in. When `dest` is already there (filed by
 * a run that stopped before removing its original), its beats file stays as it is and is
 * returned (scanned/ is immutable).
 */
export async function writeBeats(dest: string, beats: Beats): Promise<Beats> {
  const path = beatsPath(dest);
  if (await exists(dest)) {
    const kept = await readJsonOrNull(BeatsSchema, path);
    if (kept) return kept;
  }
  await writeJson(BeatsSchema, path, beats);
  return beats;
}

/** The beats file of a scanned track, or null when it has none (filed before beat analysis) or it does not read. */
export function readBeats(track: string): Promise<Beats | null> {
  return readJsonOrNull(BeatsSchema, beatsPath(track));
}
