// raw/music/<category>/<file>: any audio FFmpeg decodes, at least ingest.musicMinSeconds long
// and not silent. Every track is loudness-normalized (EBU R128, two passes) once, here:
// the original is kept under scanned/music/<category>/original/ and the result written to
//   scanned/music/<category>/mp3/<duration>_<id>.mp3
import { extname, join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { idFromRawName } from '../../shared/ids.js';
import { checkTimeoutMs, loudnessAndLength, type LoudnessTarget } from '../../shared/media/audio.js';
import { probe, probeSummary } from '../../shared/media/probe.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Validated } from './index.js';

export const MUSIC_EXTENSIONS = new Set(['.mp3', '.wav', '.flac', '.m4a', '.aac', '.ogg', '.oga', '.opus']);

/** Below this integrated loudness a track is taken as silence (loudnorm's own gate is -70). */
const SILENT_LUFS = -70;

export function loudnessTarget(ctx: MainContext): LoudnessTarget {
  return { lufs: ctx.config.ingest.musicLoudnessLufs, truePeak: ctx.config.ingest.musicTruePeakDb, lra: ctx.config.ingest.musicLra };
}

export async function validateMusic(ctx: MainContext, file: RawFile, category: string, name: string, signal?: AbortSignal): Promise<Validated> {
  const ext = extname(name).toLowerCase();
  if (!MUSIC_EXTENSIONS.has(ext)) throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `music files must be one of ${[...MUSIC_EXTENSIONS].join(' ')}, got ${JSON.stringify(extname(name) || name)}`);
  const info = await probe(ctx.bins.ffprobe.path, file.path, { signal });
  const summary = probeSummary(info);
  if (!info.audio) throw new ClipmillError('NO_AUDIO_STREAM', 'the file has no audio stream', { details: { probe: summary } });
  const min = ctx.config.ingest.musicMinSeconds;
  const max = ctx.config.ingest.musicMaxSeconds;
  // A 3-hour file is refused by its header before minutes of decoding, then by what decodes.
  if (info.duration > max) throw new ClipmillError('TOO_LONG', `the track lasts ${info.duration.toFixed(1)} s, more than ingest.musicMaxSeconds (${max} s)`, { details: { probe: summary } });
  // The first loudnorm pass decodes the whole track: it is also the decode check, and it
  // measures the true length (the header's can lie).
  const { loudness, seconds } = await loudnessAndLength(ctx.bins.ffmpeg.path, file.path, loudnessTarget(ctx), { signal, timeoutMs: checkTimeoutMs(Math.max(info.duration, max)) }).catch((err: unknown) => {
    throw err instanceof ClipmillError ? new ClipmillError(err.code, err.message, { details: { ...err.details, probe: summary } }) : err;
  });
  if (!(seconds >= min)) throw new ClipmillError('TOO_SHORT', `the track lasts ${seconds.toFixed(2)} s when decoded, less than ingest.musicMinSeconds (${min} s)`, { details: { probe: summary, decoded_seconds: seconds } });
  if (seconds > max) throw new ClipmillError('TOO_LONG', `the track lasts ${seconds.toFixed(1)} s when decoded, more than ingest.musicMaxSeconds (${max} s)`, { details: { probe: summary, decoded_seconds: seconds } });
  if (!(loudness.inputI > SILENT_LUFS)) throw new ClipmillError('SILENT', `the track is silent (integrated loudness ${loudness.inputI} LUFS)`, { details: { probe: summary } });
  const id = idFromRawName(name, file);
  return {
    kind: 'convert',
    original: join(ctx.layout.scannedOriginalDir('music', category), `${id}${ext}`),
    why: `loudness ${loudness.inputI.toFixed(1)} LUFS → ${ctx.config.ingest.musicLoudnessLufs} LUFS`,
    probe: summary,
    extra: { loudness, decoded_seconds: seconds },
  };
}
