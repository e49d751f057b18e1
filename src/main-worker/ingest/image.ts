// raw/image/<category>/<file>.png|jpg|jpeg|webp: stills (product photos, scene images, logos,
// frame PNGs). Validated: the content must be what the extension says (PNG, JPEG, WebP), its
// pixel count at most ingest.maxImagePixels (judged from the header, before any decoding), and
// it must decode fully. Filed as
//   scanned/image/<category>/<W>x<H>_<uuid>.<png|jpg|webp>
// with W x H as displayed. An image whose EXIF orientation is not "upright" (2-8: phones store
// portrait photos as rotated landscape) is kept as it came under scanned/image/<category>/original/
// and rotated/flipped once by the convert queue (convert.ts), so that no reader has to know
// about EXIF: FFmpeg 5.1 does not apply it to stills.
import { extname, join } from 'node:path';
import exifr from 'exifr';
import { ClipmillError } from '../../shared/errors.js';
import { idFromRawName } from '../../shared/ids.js';
import { runMedia } from '../../shared/media/exec.js';
import { probe, probeSummary } from '../../shared/media/probe.js';
import { ffmpegErrorLines } from '../../shared/media/stderr.js';
import { scannedImageName } from '../catalog.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Validated } from './index.js';

/** Extension -> the scanned extension and the codec FFmpeg must find inside. */
export const IMAGE_TYPES: Record<string, { ext: 'png' | 'jpg' | 'webp'; codec: string; what: string }> = {
  '.png': { ext: 'png', codec: 'png', what: 'PNG' },
  '.jpg': { ext: 'jpg', codec: 'mjpeg', what: 'JPEG' },
  '.jpeg': { ext: 'jpg', codec: 'mjpeg', what: 'JPEG' },
  '.webp': { ext: 'webp', codec: 'webp', what: 'WebP' },
};

/** The EXIF orientation (1-8; 1 when absent or unreadable: most PNGs and WebPs carry none). */
export async function readOrientation(path: string): Promise<number> {
  try {
    const o = await exifr.orientation(path);
    return typeof o === 'number' && Number.isInteger(o) && o >= 1 && o <= 8 ? o : 1;
  } catch {
    return 1;
  }
}

/** Orientations 5-8 turn the image a quarter: width and height swap. */
export function orientedSize(width: number, height: number, orientation: number): { width: number; height: number } {
  return orientation >= 5 ? { width: height, height: width } : { width, height };
}

/**
 * The FFmpeg filter that shows an image upright, for each EXIF orientation (TIFF 6.0 tag 274):
 * 2 mirrored, 3 upside down, 4 flipped, 5 transposed (mirrored and turned), 6 turned a quarter
 * clockwise to be upright, 7 transversed, 8 turned a quarter anticlockwise.
 */
export function orientationFilter(orientation: number): string | null {
  switch (orientation) {
    case 2:
      return 'hflip';
    case 3:
      return 'hflip,vflip';
    case 4:
      return 'vflip';
    case 5:
      return 'transpose=cclock_flip';
    case 6:
      return 'transpose=clock';
    case 7:
      return 'transpose=clock_flip';
    case 8:
      return 'transpose=cclock';
    default:
      return null;
  }
}

/** ffmpeg argv writing `input` upright to `output` in the same format, without metadata (no EXIF left to rotate it twice). */
export function imageArgv(input: string, output: string, orientation: number, ext: 'png' | 'jpg' | 'webp'): string[] {
  const filter = orientationFilter(orientation);
  const codec = ext === 'png' ? ['-c:v', 'png'] : ext === 'jpg' ? ['-c:v', 'mjpeg', '-q:v', '2'] : ['-c:v', 'libwebp', '-lossless', '1'];
  return ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', input, '-map', '0:v:0', '-frames:v', '1', ...(filter ? ['-vf', filter] : []), ...codec, '-map_metadata', '-1', '-f', 'image2', '-update', '1', output];
}

/** Decodes the whole image; UNDECODABLE with FFmpeg's words when it does not. */
async function decodeImage(ctx: MainContext, path: string, signal?: AbortSignal): Promise<void> {
  const r = await runMedia(ctx.bins.ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-i', path, '-map', '0:v:0', '-frames:v', '1', '-f', 'framecrc', '-'], { what: 'the decode check', timeoutMs: 120_000, signal, details: { file: path } });
  const errors = ffmpegErrorLines(r.stderr);
  const frames = r.stdout.split('\n').filter((l) => l.startsWith('0,')).length;
  if (r.failed || errors.length || frames !== 1) {
    throw new ClipmillError('UNDECODABLE', `the image does not decode: ${errors[0] ?? (r.failed ? (r.timedOut ? 'timed out' : `exit code ${r.exitCode}`) : 'no picture')}`);
  }
}

export async function validateImage(ctx: MainContext, file: RawFile, category: string, name: string, signal?: AbortSignal): Promise<Validated> {
  const type = IMAGE_TYPES[extname(name).toLowerCase()];
  if (!type) throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `image files must be one of ${Object.keys(IMAGE_TYPES).join(' ')}, got ${JSON.stringify(extname(name) || name)}`);
  const info = await probe(ctx.bins.ffprobe.path, file.path, { signal });
  const summary = probeSummary(info);
  const details = { details: { probe: summary } };
  const v = info.video;
  if (!v) throw new ClipmillError('NO_VIDEO_STREAM', 'the file holds no picture', details);
  if (v.codec !== type.codec) throw new ClipmillError('WRONG_CODEC', `the file is named ${extname(name)} but holds ${v.codec === 'mjpeg' ? 'JPEG' : v.codec === 'png' ? 'PNG' : v.codec} data, not ${type.what}`, details);
  const max = ctx.config.ingest.maxImagePixels;
  if (v.width * v.height > max) throw new ClipmillError('IMAGE_TOO_LARGE', `the image is ${v.width}x${v.height} (${v.width * v.height} pixels), more than ingest.maxImagePixels (${max})`, details);
  await decodeImage(ctx, file.path, signal);
  const orientation = await readOrientation(file.path);
  const id = idFromRawName(name, file);
  const size = orientedSize(v.width, v.height, orientation);
  if (orientation !== 1) {
    return { kind: 'convert', original: join(ctx.layout.scannedOriginalDir('image', category), `${id}.${type.ext}`), why: `EXIF orientation ${orientation} applied`, probe: summary, extra: { orientation } };
  }
  return { kind: 'move', dest: join(ctx.layout.scannedImageDir(category), scannedImageName(size.width, size.height, id, type.ext)), probe: summary, facts: { id, ...size } };
}
