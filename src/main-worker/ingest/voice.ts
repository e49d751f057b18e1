// raw/story/<category>/<story>/voice/<name>.mp3 -> scanned/story/<category>/<story>/voice/<name>.mp3
import { extname, join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { probe, probeSummary } from '../../shared/media/probe.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Ingested } from './index.js';

export async function ingestVoice(ctx: MainContext, file: RawFile, category: string, story: string, name: string, signal?: AbortSignal): Promise<Ingested> {
  if (extname(name).toLowerCase() !== '.mp3') throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `voice files must be .mp3, got ${JSON.stringify(extname(name) || name)}`);
  const info = await probe(ctx.bins.ffprobe.path, file.path, { signal });
  const summary = probeSummary(info);
  if (!info.audio) throw new ClipmillError('NO_AUDIO_STREAM', 'the file has no audio stream', { details: { probe: summary } });
  if (info.audio.codec !== 'mp3') throw new ClipmillError('WRONG_CODEC', `voice files must be MP3 audio, this file holds ${info.audio.codec}`, { details: { probe: summary } });
  const { voiceMinSeconds: min, voiceMaxSeconds: max } = ctx.config.ingest;
  if (!(info.duration >= min)) throw new ClipmillError('TOO_SHORT', `the voice lasts ${info.duration.toFixed(2)} s, less than ingest.voiceMinSeconds (${min} s)`, { details: { probe: summary } });
  if (info.duration > max) throw new ClipmillError('TOO_LONG', `the voice lasts ${info.duration.toFixed(1)} s, more than ingest.voiceMaxSeconds (${max} s)`, { details: { probe: summary } });
  return { dest: join(ctx.layout.scannedVoiceDir(category, story), name), probe: summary };
}
