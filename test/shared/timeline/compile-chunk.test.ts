// A chunked render compared with a whole render, for real (STYLE 11): a 6 s timeline whose
// cuts fall inside a Ken Burns still, an image's fade-in, a looped overlay, a text layer and a
// transition, rendered whole and as three chunks plus one audio artifact with the same encoder
// settings (fixed CRF), joined without re-encoding. Same frame count, every seam frame above
// 40 dB PSNR, no timestamp gap or duplicate, every audio sample where the whole render has it.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { buildFfconcat } from '../../../src/shared/task.js';
import { planChunks } from '../../../src/shared/timeline/chunks.js';
import { CHUNK_ENCODER, chunkEncoderArgs, compileAudio, compileChunk, joinArgv } from '../../../src/shared/timeline/compile-chunk.js';
import { compileTimeline, type Compiled } from '../../../src/shared/timeline/compile.js';
import { timelineFiles } from '../../../src/shared/timeline/schema.js';
import { probeSeams } from '../../../src/shared/media/seams.js';
import { binaries, testConfig } from '../../helpers.js';
import { makeMedia, MEDIA, runFfmpeg, samples, timeline } from './render-media.js';

let root = '';
let media = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'clipmill-chunks-'));
  media = join(root, 'media');
  await makeMedia(media);
});
after(() => rm(root, { recursive: true, force: true }));

const tl = timeline({
  output: { width: 160, height: 90, fps: 30, duration: 6 },
  video: [
    { type: 'still', file: MEDIA.red, duration: 2.5, ken_burns: { from: { zoom: 1 }, to: { zoom: 2, x: 0.3 } } },
    { type: 'clip', file: MEDIA.colors, in: 0.5, out: 2 },
    { type: 'clip', file: MEDIA.colors, in: 2, out: 3.2, transition: { type: 'fade', duration: 0.5 } },
    { type: 'color', color: 'gray', duration: 1 },
  ],
  layers: [
    { type: 'image', file: MEDIA.red, start: 1.8, end: 5, position: 'bottom-right', animation: 'fade', animation_duration: 0.5 },
    { type: 'video', file: MEDIA.spot, start: 0.5, blend: 'screen', opacity: 0.6 },
    { type: 'border', color: 'white', width: 4, start: 3.9, end: 4.2 },
  ],
  audio: [{ file: MEDIA.a440long, loop: true, fade_in: 0.2, fade_out: 0.5 }, { file: MEDIA.b1000, start: 1.9, volume: 0.5 }],
});

/** The encoder of every chunk, and of the whole render it is compared with (same settings, CRF from the config). */
const encoder = () => {
  const x264 = encoderSpec(CHUNK_ENCODER, testConfig());
  return { ...x264, args: chunkEncoderArgs(x264, 'normal') };
};

async function run(c: Compiled): Promise<void> {
  for (const f of c.files) {
    await mkdir(dirname(f.path), { recursive: true });
    await writeFile(f.path, f.content);
  }
  await runFfmpeg(c.argv);
}

/** PSNR (dB, average of the planes) of every frame of `b` against `a`; identical frames: Infinity. */
async function psnr(a: string, b: string): Promise<number[]> {
  const { ffmpeg } = await binaries();
  const stats = join(root, 'psnr.log');
  await execa(ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-i', a, '-i', b, '-lavfi', `[0:v][1:v]psnr=stats_file=${stats}`, '-f', 'null', '-']);
  const { readFile } = await import('node:fs/promises');
  return (await readFile(stats, 'utf8')).trim().split('\n').map((l) => {
    const v = /psnr_avg:(\S+)/.exec(l)![1]!;
    return v === 'inf' ? Infinity : Number(v);
  });
}

test('three chunks and the audio joined without re-encoding: the frames and the samples of a whole render', async () => {
  const plan = planChunks(tl, 2)!;
  // The cuts: 60 (inside the Ken Burns still: rendered from frame 0) and 120 (the start of a
  // segment with a fade into it: rendered from frame 75, the clip before it).
  assert.deepEqual(plan.chunks.map((c) => [c.from_frame, c.to_frame, c.start_frame]), [[0, 60, 0], [60, 120, 0], [120, 180, 75]]);
  const paths = new Map(timelineFiles(tl).map((f) => [f, join(media, f)]));
  const opts = { audioBitrate: '192k', progress: false };
  const whole = join(root, 'whole.mp4');
  await run(compileTimeline(tl, { paths, workDir: join(root, 'whole'), output: whole }, encoder(), opts));
  const files: string[] = [];
  for (const c of plan.chunks) {
    const out = join(root, `${c.index}.mp4`);
    const compiled = compileChunk(tl, c, { paths, workDir: join(root, `chunk-${c.index}`), output: out }, encoder(), opts);
    assert.ok(!compiled.argv.includes('-c:a'), 'a chunk has no audio');
    await run(compiled);
    files.push(out);
  }
  const audio = join(root, 'audio.m4a');
  await run(compileAudio(tl, { paths, workDir: join(root, 'audio'), output: audio }, opts)!);
  const list = join(root, 'chunks.ffconcat');
  await writeFile(list, buildFfconcat(files));
  const joined = join(root, 'joined.mp4');
  await runFfmpeg(joinArgv(list, audio, joined, false));

  const { ffprobe } = await binaries();
  const seams = await probeSeams(ffprobe.path, joined);
  assert.equal(seams.video.frames, 180, 'the exact frame count');
  assert.deepEqual(seams.video.gaps, [], 'no timestamp gap or duplicate');
  assert.deepEqual(seams.video.keyframesAt.slice(0, 3), [0, 60, 120], 'every chunk starts with a keyframe');
  assert.equal(seams.audio!.samples, 6 * 48000, 'the audio sample count exact');
  assert.deepEqual(seams.audio!.gaps, []);
  const db = await psnr(whole, joined);
  assert.equal(db.length, 180, 'as many frames as the whole render');
  for (const f of [0, 59, 60, 61, 119, 120, 121, 179]) assert.ok(db[f]! > 40, `frame ${f}: ${db[f]} dB`);
  const worst = Math.min(...db);
  assert.ok(worst > 35, `the worst frame anywhere: ${worst} dB`);
  // The same audio mix and encoder: the samples of the whole render, none dropped or added at a seam.
  const [a] = await samples(whole);
  const [b] = await samples(joined);
  assert.equal(b!.length, a!.length);
  let diff = 0;
  for (let i = 0; i < a!.length; i++) diff = Math.max(diff, Math.abs(a![i]! - b![i]!));
  assert.ok(diff < 1e-3, `largest sample difference ${diff}`);
});
