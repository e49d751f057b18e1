// raw/short/<category>/<name>.mp3|wav|m4a -> scanned/short/<category>/<name>: audio to make a
// vertical short of (docs/shorts.md), with its sidecar's transcript, target_seconds and style
// in its asset record. Validated like speech: the container matches the extension, the audio
// decodes whole, lasts shorts.minSeconds to shorts.maxSeconds, and is not silent. Filed as
// `<uuid>_<name>`, the UUID derived from the raw file's path, size and modification time: each
// drop is a short of its own (the same name dropped again, with a transcript this time, is a
// new short, never a duplicate), while a run interrupted after copying the file finds its copy.
import { extname, join } from 'node:path';
import { CAPTION_STYLES } from '../../shared/timeline/schema.js';
import { ClipmillError } from '../../shared/errors.js';
import { stableUuid } from '../../shared/ids.js';
import { checkTimeoutMs, peakAndLength } from '../../shared/media/audio.js';
import { probe, probeSummary } from '../../shared/media/probe.js';
import type { RawSidecar } from '../../shared/assets.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Validated } from './index.js';

/** The codecs each accepted extension may hold. */
const CODECS: Record<string, (codec: string) => boolean> = {
  '.mp3': (c) => c === 'mp3',
  '.wav': (c) => c.startsWith('pcm_'),
  '.m4a': (c) => c === 'aac' || c === 'alac',
};

/** The asset id of a short: `<category>/<filed name>` (`<uuid>_<name>`, with its extension). */
export function shortId(category: string, filed: string): string {
  return `${category}/${filed}`;
}

/** The name a dropped short is filed under: `<uuid>_<name>` (the UUID from the raw file's path, size and modification time). */
export function shortFiledName(file: Pick<RawFile, 'rel' | 'size' | 'mtimeMs'>, name: string): string {
  return `${stableUuid('clipmill-short', file.rel, String(file.size), String(file.mtimeMs))}_${name}`;
}

export async function validateShort(ctx: MainContext, file: RawFile, category: string, name: string, sidecar: RawSidecar | null, signal?: AbortSignal): Promise<Validated> {
  const ext = extname(name).toLowerCase();
  const accepts = CODECS[ext];
  if (!accepts) throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `shorts are made of .mp3, .wav or .m4a audio, got ${JSON.stringify(extname(name) || name)}`);
  // The style is checked here, not in the one sidecar schema every kind shares: it means a caption style for shorts only.
  if (sidecar?.style !== undefined && !(CAPTION_STYLES as readonly string[]).includes(sidecar.style)) {
    throw new ClipmillError('SIDECAR_INVALID', `raw/${file.rel}.json: style: one of ${CAPTION_STYLES.map((s) => `"${s}"`).join(', ')} (the captions of the short), got ${JSON.stringify(sidecar.style)}`, { details: { sidecar: `raw/${file.rel}.json`, field: 'style' } });
  }
  const info = await probe(ctx.bins.ffprobe.path, file.path, { signal });
  const summary = probeSummary(info);
  const details = { details: { probe: summary } };
  if (!info.audio) throw new ClipmillError('NO_AUDIO_STREAM', 'the file has no audio stream', details);
  if (!accepts(info.audio.codec)) throw new ClipmillError('WRONG_CODEC', `a ${ext} short must hold ${ext === '.mp3' ? 'MP3' : ext === '.wav' ? 'PCM' : 'AAC or ALAC'} audio, this file holds ${info.audio.codec}`, details);
  const { minSeconds: min, maxSeconds: max } = ctx.config.shorts;
  if (info.duration > max * 2) throw new ClipmillError('TOO_LONG', `the audio lasts ${info.duration.toFixed(1)} s, more than shorts.maxSeconds (${max} s)`, details);
  let levels: { peakDb: number; seconds: number };
  try {
    levels = await peakAndLength(ctx.bins.ffmpeg.path, file.path, { signal, timeoutMs: checkTimeoutMs(Math.max(info.duration, max)) });
  } catch (err) {
    throw err instanceof ClipmillError ? new ClipmillError(err.code, err.message, { details: { ...err.details, ...details.details } }) : err;
  }
  const seconds = levels.seconds;
  const decoded = { details: { ...details.details, decoded_seconds: seconds } };
  if (!(seconds >= min)) throw new ClipmillError('TOO_SHORT', `the audio lasts ${seconds.toFixed(2)} s when decoded, less than shorts.minSeconds (${min} s)`, decoded);
  if (seconds > max) throw new ClipmillError('TOO_LONG', `the audio lasts ${seconds.toFixed(1)} s when decoded, more than shorts.maxSeconds (${max} s)`, decoded);
  if (!(levels.peakDb > ctx.config.ingest.voiceSilenceDb)) throw new ClipmillError('SILENT', `the audio is silent: its loudest sample is ${levels.peakDb} dB, at or below ingest.voiceSilenceDb (${ctx.config.ingest.voiceSilenceDb} dB)`, details);
  const filed = shortFiledName(file, name);
  return { kind: 'move', dest: join(ctx.layout.scannedShortDir(category), filed), probe: summary, facts: { id: shortId(category, filed), duration: Math.round(seconds * 1000) / 1000 } };
}
