import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { execa } from 'execa';
import { convertOriginal } from '../../../src/main-worker/ingest/convert.js';
import { orientationFilter, orientedSize, validateImage } from '../../../src/main-worker/ingest/image.js';
import { ingestFile } from '../../../src/main-worker/ingest/index.js';
import { recover } from '../../../src/main-worker/recover.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { isClipmillError } from '../../../src/shared/errors.js';
import { readJson } from '../../../src/shared/json.js';
import { binaries } from '../../helpers.js';
import { ingestEnv } from './env.js';

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

async function ff(args: string[]): Promise<void> {
  await execa((await binaries()).ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
}

/** A still: 32x16, left half red, right half blue (so that a turn or a flip shows). */
const still = (p: string, format: 'png' | 'mjpeg' | 'webp') =>
  ff(['-f', 'lavfi', '-i', 'color=red:s=16x16', '-f', 'lavfi', '-i', 'color=blue:s=16x16', '-filter_complex', 'hstack', '-frames:v', '1', ...(format === 'webp' ? ['-c:v', 'libwebp'] : format === 'mjpeg' ? ['-c:v', 'mjpeg', '-q:v', '2'] : ['-c:v', 'png']), '-f', 'image2', '-update', '1', p]);

/** Inserts an EXIF APP1 segment holding only the orientation tag (274) right after the JPEG's SOI. */
function withOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x0112, 10); // Orientation
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const marker = Buffer.alloc(4);
  marker.writeUInt16BE(0xffe1, 0);
  marker.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), marker, payload, jpeg.subarray(2)]);
}

/** The RGB of pixel (x, y) of an image `width` pixels wide, decoded by ffmpeg. */
async function pixel(path: string, width: number, x: number, y: number): Promise<[number, number, number]> {
  const r = await execa((await binaries()).ffmpeg.path, ['-v', 'error', '-i', path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer' });
  const b = Buffer.from(r.stdout);
  const i = (y * width + x) * 3;
  return [b[i]!, b[i + 1]!, b[i + 2]!];
}
const isRed = ([r, g, b]: number[]) => r! > 180 && g! < 80 && b! < 80;
const isBlue = ([r, g, b]: number[]) => b! > 180 && r! < 80 && g! < 80;

test('orientation: the filter and the displayed size for each EXIF orientation', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(orientationFilter), [null, 'hflip', 'hflip,vflip', 'vflip', 'transpose=cclock_flip', 'transpose=clock', 'transpose=clock_flip', 'transpose=cclock']);
  assert.deepEqual(orientedSize(32, 16, 3), { width: 32, height: 16 });
  assert.deepEqual(orientedSize(32, 16, 6), { width: 16, height: 32 });
});

test('PNG, JPEG and WebP stills are decoded and filed as <W>x<H>_<id>.<ext> with their asset record', async (t) => {
  const env = await ingestEnv(t);
  for (const [name, format, ext] of [[`${ID}.png`, 'png', 'png'], ['photo shot.JPEG', 'mjpeg', 'jpg'], ['scène.webp', 'webp', 'webp']] as const) {
    const file = await env.raw(`image/products/${name}`, (p) => still(p, format));
    const out = await ingestFile(env.ctx, file);
    assert.equal(out.status, 'moved', env.log());
    assert.ok(out.status === 'moved' && out.record);
    assert.match(out.dest, new RegExp(`/scanned/image/products/32x16_[0-9a-f-]{36}\\.${ext}$`));
    const record = await readJson(AssetRecordSchema, `${out.dest}.json`, 'IO');
    assert.deepEqual(record, out.record);
    assert.deepEqual([record.kind, record.category, record.width, record.height, record.tags, record.raw_path], ['image', 'products', 32, 16, [], `raw/image/products/${name}`]);
    if (name.startsWith(ID)) assert.equal(record.id, ID, 'a UUID name keeps its id');
  }
});

test('a JPEG with EXIF orientation 6 is kept as it came and turned upright once; its sidecar tags travel to the record', async (t) => {
  const env = await ingestEnv(t);
  const file = await env.raw('image/products/portrait.jpg', async (p) => {
    await still(`${p}.plain.jpg`, 'mjpeg');
    await writeFile(p, withOrientation(await readFile(`${p}.plain.jpg`), 6));
    await execa('rm', [`${p}.plain.jpg`]);
  });
  await writeFile(`${file.path}.json`, JSON.stringify({ tags: [' Spring', 'RED car'] }));
  const out = await ingestFile(env.ctx, file);
  assert.equal(out.status, 'convert', env.log());
  assert.ok(out.status === 'convert');
  const original = out.job.original;
  assert.match(original, /\/scanned\/image\/products\/original\/[0-9a-f-]{36}\.jpg$/);
  assert.ok((await readdir(join(original, '..'))).includes(`${out.job.id}.jpg.sidecar.json`), 'the raw sidecar kept beside the original');
  // A restart now resumes the conversion; the sidecar beside the original is not an original.
  assert.deepEqual((await recover(env.ctx)).pending.map((j) => [j.kind, j.original]), [['image', original]]);
  const done = await convertOriginal(env.ctx, out.job);
  assert.ok(done.status === 'done' && done.record, env.log());
  assert.match(done.dest, new RegExp(`/scanned/image/products/16x32_${out.job.id}\\.jpg$`), 'turned a quarter: 16 wide, 32 high');
  assert.deepEqual([done.record.width, done.record.height, done.record.tags, done.record.raw_path], [16, 32, ['spring', 'red car'], 'raw/image/products/portrait.jpg']);
  assert.deepEqual(await readJson(AssetRecordSchema, `${done.dest}.json`, 'IO'), done.record);
  assert.deepEqual((await recover(env.ctx)).pending, [], 'converted: nothing pending');
  // The red left half is on top once upright (orientation 6: turn a quarter clockwise).
  assert.ok(isRed(await pixel(done.dest, 16, 8, 4)), `top: ${await pixel(done.dest, 16, 8, 4)}`);
  assert.ok(isBlue(await pixel(done.dest, 16, 8, 27)), `bottom: ${await pixel(done.dest, 16, 8, 27)}`);
});

test('refused: a text named .png, a PNG named .jpg, a header declaring 15000x15000, more pixels than ingest.maxImagePixels, a PNG with garbage inside, .gif', async (t) => {
  const env = await ingestEnv(t);
  const refused = (code: string, message?: RegExp) => (err: unknown) => {
    assert.ok(isClipmillError(err, code as never), `${code} expected, got ${String(err)}`);
    if (message) assert.match((err as Error).message, message);
    return true;
  };
  const text = await env.raw('image/c/notes.png', (p) => writeFile(p, 'this is not an image\n'));
  await assert.rejects(validateImage(env.ctx, text, 'c', 'notes.png'), refused('NO_VIDEO_STREAM', /holds no picture/));
  const png = await env.raw('image/c/real-png.jpg', (p) => still(p, 'png'));
  await assert.rejects(validateImage(env.ctx, png, 'c', 'real-png.jpg'), refused('WRONG_CODEC', /named \.jpg but holds PNG data, not JPEG/));
  const huge = await env.raw('image/c/huge.png', async (p) => {
    await still(p, 'png');
    const b = await readFile(p);
    b.writeUInt32BE(15000, 16);
    b.writeUInt32BE(15000, 20);
    b.writeUInt32BE(crc32(b.subarray(12, 29)) >>> 0, 29);
    await writeFile(p, b);
  });
  await assert.rejects(validateImage(env.ctx, huge, 'c', 'huge.png'), refused('IMAGE_TOO_LARGE', /^the image is 15000x15000 \(225000000 pixels\), more than ingest\.maxImagePixels \(40000000\)$/));
  const small = await ingestEnv(t, { ingest: { maxImagePixels: 500 } });
  const photo = await small.raw('image/c/photo.webp', (p) => still(p, 'webp'));
  await assert.rejects(validateImage(small.ctx, photo, 'c', 'photo.webp'), refused('IMAGE_TOO_LARGE', /32x16 \(512 pixels\)/));
  const cut = await env.raw('image/c/cut.png', async (p) => {
    await ff(['-f', 'lavfi', '-i', 'testsrc2=s=160x90', '-frames:v', '1', '-c:v', 'png', '-f', 'image2', '-update', '1', p]);
    // Garbage inside the compressed pixels: the header reads, the picture does not decode.
    const b = await readFile(p);
    b.fill(0x55, Math.floor(b.length / 2), Math.floor(b.length / 2) + 200);
    await writeFile(p, b);
  });
  await assert.rejects(validateImage(env.ctx, cut, 'c', 'cut.png'), refused('UNDECODABLE', /^the image does not decode: .*inflate/));
  const gif = await env.raw('image/c/anim.gif', (p) => writeFile(p, 'GIF89a'));
  await assert.rejects(validateImage(env.ctx, gif, 'c', 'anim.gif'), refused('RAW_UNSUPPORTED_TYPE'));
  // Through ingestFile: the reject with its reason.
  const out = await ingestFile(env.ctx, text);
  assert.ok(out.status === 'rejected' && out.code === 'NO_VIDEO_STREAM');
  assert.ok((await readdir(join(env.layout.trashInvalid, 'image/c'))).includes('notes.png.reason.json'));
});
