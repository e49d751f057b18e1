// raw/music/<category>/<file>.mp3 -> scanned/music/<category>/mp3/<duration>_<id>.mp3
import { extname, join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { idFromRawName } from '../../shared/ids.js';
import { scannedMediaName } from '../../shared/layout.js';
import { probe, probeSummary } from '../../shared/media/probe.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Ingested } from './index.js';

export async function ingestMusic(ctx: MainContext, file: RawFile, category: string, name: string, signal?: AbortSignal): Promise<Ingested> {
  if (extname(name).toLowerCase() !== '.mp3') throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `music files must be .mp3, got ${JSON.stringify(extname(name) || name)}`);
  const info = await probe(ctx.bins.ffprobe.path, file.path, { signal });
  const summary = probeSummary(info);
  if (!info.audio) throw new ClipmillError('NO_AUDIO_STREAM', 'the file has no audio stream', { details: { probe: summary } });
  if (info.audio.codec !== 'mp3') throw new ClipmillError('WRONG_CODEC', `music must be MP3 audio, this file holds ${info.audio.codec}`, { details: { probe: summary } });
  const min = ctx.config.ingest.musicMinSeconds;
  if (!(info.duration >= min)) throw new ClipmillError('TOO_SHORT', `the track lasts ${info.duration.toFixed(2)} s, less than ingest.musicMinSeconds (${min} s)`, { details: { probe: summary } });
  return { dest: join(ctx.layout.scannedMusicDir(category), scannedMediaName(info.duration, idFromRawName(name), 'mp3')), probe: summary };
}
