// raw/video/<category>/<file> and raw/frame/<category>/<file>
//   -> scanned/<kind>/<category>/mp4_w<W>_h<H>/<duration>_<id>.mp4
import { extname, join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { idFromRawName } from '../../shared/ids.js';
import { scannedMediaName } from '../../shared/layout.js';
import { probe, probeSummary } from '../../shared/media/probe.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Ingested } from './index.js';

const EXTENSIONS = new Set(['.mp4', '.m4v', '.mov']);

export async function ingestClip(ctx: MainContext, file: RawFile, kind: 'video' | 'frame', category: string, name: string, signal?: AbortSignal): Promise<Ingested> {
  if (!EXTENSIONS.has(extname(name).toLowerCase())) {
    throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `${kind} files must be .mp4, .m4v or .mov, got ${JSON.stringify(extname(name) || name)}`);
  }
  const info = await probe(ctx.bins.ffprobe.path, file.path, { signal });
  const summary = probeSummary(info);
  const v = info.video;
  if (!v) throw new ClipmillError('NO_VIDEO_STREAM', 'the file has no video stream', { details: { probe: summary } });
  const duration = v.duration ?? info.duration;
  if (!(duration >= ctx.config.ingest.minClipSeconds)) {
    throw new ClipmillError('TOO_SHORT', `the clip lasts ${duration.toFixed(2)} s, less than ingest.minClipSeconds (${ctx.config.ingest.minClipSeconds} s)`, { details: { probe: summary } });
  }
  // Clips of one resolution class are joined by the concat demuxer, which needs them alike.
  // Transcoding other clips into that profile is not part of this version: refuse them clearly.
  if (v.codec !== 'h264' || v.pixFmt !== 'yuv420p' || v.rotation !== 0) {
    throw new ClipmillError('WRONG_CODEC', `${kind} clips must be H.264, yuv420p and unrotated; this one is ${v.codec}, ${v.pixFmt ?? 'unknown pixel format'}${v.rotation ? `, rotated ${v.rotation}°` : ''}`, { details: { probe: summary } });
  }
  const dir = ctx.layout.scannedClipDir(kind, category, v.displayWidth, v.displayHeight);
  const dest = join(dir, scannedMediaName(duration, idFromRawName(name), 'mp4'));
  return { dest, probe: summary };
}
