// raw/video/<category>/<file> and raw/frame/<category>/<file>: validated (probe, then a real
// decode at the start and the end), then either moved as they are into
//   scanned/<kind>/<category>/mp4_w<W>_h<H>/<duration>_<id>.mp4
// or, when they do not fit the concat-safe profile, kept under scanned/<kind>/<category>/original/
// and conformed once (see convert.ts).
import { extname, join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { idFromRawName } from '../../shared/ids.js';
import { scannedMediaName } from '../../shared/layout.js';
import { decodeCheck } from '../../shared/media/decode-check.js';
import { probe, probeSummary } from '../../shared/media/probe.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import { conformDecision, type ConformTarget } from './conform.js';
import type { Validated } from './index.js';

export const CLIP_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.mts', '.m2ts', '.ts']);

export function conformTarget(ctx: MainContext): ConformTarget {
  return { fps: ctx.config.render.fps, preset: ctx.config.ingest.conformPreset, crf: ctx.config.ingest.conformCrf };
}

export async function validateClip(ctx: MainContext, file: RawFile, kind: 'video' | 'frame', category: string, name: string, signal?: AbortSignal): Promise<Validated> {
  const ext = extname(name).toLowerCase();
  if (!CLIP_EXTENSIONS.has(ext)) {
    throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `${kind} files must be one of ${[...CLIP_EXTENSIONS].join(' ')}, got ${JSON.stringify(extname(name) || name)}`);
  }
  const info = await probe(ctx.bins.ffprobe.path, file.path, { signal });
  const summary = probeSummary(info);
  const v = info.video;
  if (!v) throw new ClipmillError('NO_VIDEO_STREAM', 'the file has no video stream', { details: { probe: summary } });
  const duration = v.duration ?? info.duration;
  // Before anything decodes a frame: huge frames cost gigabytes, long files minutes.
  const { maxFrameSize, footageMaxSeconds } = ctx.config.ingest;
  if (v.displayWidth > maxFrameSize || v.displayHeight > maxFrameSize) {
    throw new ClipmillError('FRAME_TOO_LARGE', `the frames are ${v.displayWidth}x${v.displayHeight}, larger than ingest.maxFrameSize (${maxFrameSize}) on a side`, { details: { probe: summary } });
  }
  if (duration > footageMaxSeconds) throw new ClipmillError('TOO_LONG', `the clip lasts ${duration.toFixed(1)} s, more than ingest.footageMaxSeconds (${footageMaxSeconds} s)`, { details: { probe: summary } });
  if (!(duration >= ctx.config.ingest.minClipSeconds)) {
    throw new ClipmillError('TOO_SHORT', `the clip lasts ${duration.toFixed(2)} s, less than ingest.minClipSeconds (${ctx.config.ingest.minClipSeconds} s)`, { details: { probe: summary } });
  }
  const decoded = await decodeCheck(ctx.bins.ffmpeg.path, file.path, duration, ctx.config.ingest.decodeCheckSeconds, signal);
  if (!decoded.ok) throw new ClipmillError('UNDECODABLE', decoded.reason ?? 'the video does not decode', { details: { probe: summary } });
  const id = idFromRawName(name, file);
  const decision = conformDecision(info, ext, conformTarget(ctx));
  if (decision.action === 'move') {
    return {
      kind: 'move',
      dest: join(ctx.layout.scannedClipDir(kind, category, v.displayWidth, v.displayHeight), scannedMediaName(duration, id, 'mp4')),
      probe: summary,
      facts: { id, duration, width: v.displayWidth, height: v.displayHeight },
    };
  }
  return { kind: 'convert', original: join(ctx.layout.scannedOriginalDir(kind, category), `${id}${ext}`), why: `${decision.action}: ${decision.reasons.join(', ')}`, probe: summary, extra: {} };
}
