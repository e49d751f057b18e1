// Converting an original kept under scanned/: today's stable behaviour only (convert.ts is
// about to verify what it produces): a track normalized to MP3 beside its kept original, and
// a conversion whose ffmpeg is killed handed back for later, the original left as it was.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertOriginal } from '../../../src/main-worker/ingest/convert.js';
import { measureLoudness } from '../../../src/shared/media/audio.js';
import { probe } from '../../../src/shared/media/probe.js';
import { fakeFfmpeg } from '../../fake-ffmpeg.js';
import { FIXTURES } from '../../media.js';
import { binaries, sha256, tempDir, walk } from '../../helpers.js';
import { ingestEnv } from './env.js';
import { clickTrack } from '../../shared/media/click-track.js';
import { Catalog } from '../../../src/shared/catalog.js';
import { BeatsSchema, beatsPath } from '../../../src/shared/media/beats.js';

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

test('music: normalized to an MP3 in scanned/music/<category>/mp3/, named by duration and id; the original kept', async (t) => {
  const env = await ingestEnv(t);
  const original = join(env.layout.scannedOriginalDir('music', 'c'), `${ID}.mp3`);
  await mkdir(join(original, '..'), { recursive: true });
  await FIXTURES.musicMp3(original, 3);
  const before = await sha256(original);
  const r = await convertOriginal(env.ctx, { kind: 'music', category: 'c', original, id: ID });
  const dest = join(env.layout.scannedMusicDir('c'), `3.0_${ID}.mp3`);
  assert.deepEqual({ ...r, record: undefined, beats: undefined }, { status: 'done', dest, record: undefined, beats: undefined });
  assert.ok(r.status === 'done' && r.record);
  assert.deepEqual([r.record.kind, r.record.id, r.record.duration, r.record.tags], ['music', ID, 3, []]);
  assert.deepEqual((await readdir(env.layout.scannedMusicDir('c'))).sort(), [`3.0_${ID}.mp3`, `3.0_${ID}.mp3.beats.json`, `3.0_${ID}.mp3.json`], 'no temporary left; the asset record and the beats beside it');
  assert.deepEqual(BeatsSchema.parse(JSON.parse(await readFile(beatsPath(dest), 'utf8'))), r.beats);
  assert.equal(await sha256(original), before, 'the original is kept as it came');
  const { ffmpeg, ffprobe } = await binaries();
  assert.equal((await probe(ffprobe.path, dest)).audio?.codec, 'mp3');
  const l = await measureLoudness(ffmpeg.path, dest, { lufs: -16, truePeak: -1.5, lra: 11 });
  assert.ok(Math.abs(l.inputI - -16) <= 1, `normalized to -16 LUFS: ${l.inputI}`);
  assert.match(env.log(), new RegExp(`Converted scanned/music/c/original/${ID}\\.mp3 → scanned/music/c/mp3/3\\.0_${ID}\\.mp3: normalized -\\d+\\.\\d → -16 LUFS; .* in `));
});

test('music: a click track is filed with its beats (analysed on the normalized track, onsets within 20 ms); the catalog loads them', async (t) => {
  const env = await ingestEnv(t);
  const original = join(env.layout.scannedOriginalDir('music', 'c'), `${ID}.wav`);
  await mkdir(join(original, '..'), { recursive: true });
  const clicks = await clickTrack(original, 120, 0.6, 6);
  const r = await convertOriginal(env.ctx, { kind: 'music', category: 'c', original, id: ID });
  assert.ok(r.status === 'done' && r.beats);
  assert.equal(r.beats.usable, true);
  assert.equal(r.beats.onsets.length, clicks.length);
  r.beats.onsets.forEach((o, i) => assert.ok(Math.abs(o - clicks[i]!) <= 0.02, `onset ${o} for click ${clicks[i]}`));
  const catalog = await Catalog.load(env.layout);
  assert.deepEqual(catalog.category('c').music[0]?.beats, r.beats);
});

test('an ffmpeg killed mid-conversion: "retry", the original and its record stay, nothing half-made in scanned/', async (t) => {
  // The real ffprobe; an ffmpeg that is killed by SIGKILL as soon as it starts.
  const real = await binaries();
  const killed = await fakeFfmpeg(await tempDir(t), 'killed');
  const env = await ingestEnv(t, {}, { ffmpeg: { ...real.ffmpeg, path: killed }, ffprobe: real.ffprobe });
  const originals = env.layout.scannedOriginalDir('video', 'c');
  await mkdir(originals, { recursive: true });
  const original = join(originals, `${ID}.mp4`);
  await FIXTURES.clip25fps(join(env.stage, 'clip.mp4'));
  await copyFile(join(env.stage, 'clip.mp4'), original);
  const record = `${original}.source.json`;
  await writeFile(record, JSON.stringify({ raw_path: 'raw/video/c/clip.mp4', moved_at: '2026-01-01T00:00:00.000Z', why: 'transcode: 25.00 fps is not 30 fps', probe: {}, extra: {} }));
  const before = await sha256(original);
  // The machine's failure, with its reason (a generated clip's warning gives it: shorts/generated.ts).
  assert.deepEqual(await convertOriginal(env.ctx, { kind: 'video', category: 'c', original, id: ID }), { status: 'retry', why: 'ffmpeg killed by SIGKILL' });
  assert.equal(await sha256(original), before);
  assert.deepEqual((await walk(join(env.layout.scanned, 'video'))).map((p) => env.layout.rel(p)), [`scanned/video/c/original/${ID}.mp4`, `scanned/video/c/original/${ID}.mp4.source.json`]);
  assert.deepEqual(await walk(env.layout.trashInvalid), []);
  assert.match(env.log(), new RegExp(`Could not convert scanned/video/c/original/${ID}\\.mp4 \\(ffmpeg killed by SIGKILL\\); the original stays and will be converted again`));
});
