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
import { checkSpeech } from './speech-checks.js';
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
  const seconds = await checkSpeech(ctx, file.path, { duration: info.duration, probe: summary }, { what: 'the audio', min, max, silenceDb: ctx.config.ingest.voiceSilenceDb, headerMax: max * 2, keys: { min: 'shorts.minSeconds', max: 'shorts.maxSeconds', silenceDb: 'ingest.voiceSilenceDb' } }, signal);
  const filed = shortFiledName(file, name);
  return { kind: 'move', dest: join(ctx.layout.scannedShortDir(category), filed), probe: summary, facts: { id: shortId(category, filed), duration: Math.round(seconds * 1000) / 1000 } };
}
