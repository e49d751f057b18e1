// Golden-frame benchmark (docs/golden-frame.md): the CPU of a 15 s golden-frame render at
// 1080x1920 (five 1200x1200 product photos cut on the beats of a 120 bpm track, an atmosphere
// video at 70%, the procedural border, a hook) in one ffmpeg pass, against a bare encode of the
// same frames (the render's own output frames, decoded beforehand and not timed, encoded again
// with the same x264 settings: what encoding those pictures costs by itself). The Ken Burns
// zoom is the expensive part, so the same job is rendered with style.zoom 1 (no motion: each
// photo fitted once and repeated), and both are run with -f null (filters without the encode)
// to split the zoom's cost between the filters and the encoder (a moving picture costs x264
// more than a repeated one). libx264 -preset medium -crf 23; variants alternate, the best of
// BENCH_RUNS runs is compared (2-core machines are noisy: only the ratios mean something).
//
// Run: node scripts/setup.mjs --bench bench/golden-frame.ts
//   BENCH_RUNS=2                   alternated runs of each variant
//   BENCH_RESOLUTION=1080x1920     the output
// Making the media and planning are not timed.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Catalog } from '../src/shared/catalog.js';
import { planGoldenFrame } from '../src/main-worker/planners/golden-frame.js';
import { loadConfig, type Config, type DeepPartial } from '../src/shared/config.js';
import { GoldenFrameJobSchema } from '../src/shared/jobs/golden-frame.js';
import { detectBeats, BEATS_RATE } from '../src/shared/media/beats.js';
import { encoderSpec } from '../src/shared/media/encoders.js';
import { resolveBinaries } from '../src/shared/media/ffmpeg.js';
import { createRng } from '../src/shared/rng.js';
import { timelineFiles, type Timeline } from '../src/shared/timeline/schema.js';
import { compiledArgv } from './render/cpu.js';
import { frameCount } from './render/fixtures.js';
import { alternate, best, ffmpegCpu, fmt, row, Summary } from './render/measure.js';

const runs = Number(process.env.BENCH_RUNS ?? 2);
const resolution = process.env.BENCH_RESOLUTION ?? '1080x1920';
const m = /^(\d+)x(\d+)$/.exec(resolution);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS: expected an integer >= 1, got ${process.env.BENCH_RUNS}`);
if (!m || Number(m[1]) % 2 || Number(m[2]) % 2) throw new Error(`BENCH_RESOLUTION: expected an even WIDTHxHEIGHT, got ${resolution}`);
const [width, height] = [Number(m[1]), Number(m[2])];
const SECONDS = 15;
const FPS = 30;

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-golden-'));
try {
  const bins = await resolveBinaries(loadConfig({ env: {} }));
  const config = loadConfig({ env: {}, overrides: { render: { encoderArgs: { libx264: ['-preset', 'medium', '-crf', '23'] } } } as DeepPartial<Config> });
  const encoder = encoderSpec('libx264', config);
  const ff = (args: string[]) => execa(bins.ffmpeg.path, ['-hide_banner', '-v', 'error', '-y', ...args]);
  const catalog = new Catalog();
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  // Five detailed product photos (testsrc2 in five hues), a glitter stand-in (moving sparse
  // white dots on black, 540x960, 4 s), and 20 s of music with a click at 120 bpm.
  await mkdir(join(work, 'scanned/image/products'), { recursive: true });
  for (let i = 1; i <= 5; i++) {
    const rel = `scanned/image/products/1200x1200_${uuid(i)}.png`;
    await ff(['-f', 'lavfi', '-i', 'testsrc2=s=1200x1200', '-vf', `hue=h=${i * 72}`, '-frames:v', '1', join(work, rel)]);
    catalog.add(rel, null);
  }
  const glitter = `scanned/frame/glitter/mp4_w540_h960/4.0_${uuid(10)}.mp4`;
  await mkdir(join(work, 'scanned/frame/glitter/mp4_w540_h960'), { recursive: true });
  await ff(['-f', 'lavfi', '-i', 'color=black:s=540x960:r=30:d=4', '-vf', "geq=lum='if(lt(random(1),0.002),255,16)':cb=128:cr=128", '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', join(work, glitter)]);
  catalog.add(glitter, null);
  const music = `scanned/music/lounge/mp3/20.0_${uuid(20)}.mp3`;
  await mkdir(join(work, 'scanned/music/lounge/mp3'), { recursive: true });
  await ff(['-f', 'lavfi', '-i', "aevalsrc='0.1*sin(2*PI*220*t)+if(lt(mod(t-0.37,0.5),0.005)*gte(t,0.37),0.6*sin(2*PI*1000*t),0)':s=44100:d=20", '-c:a', 'libmp3lame', '-q:a', '4', join(work, music)]);
  const pcm = await execa(bins.ffmpeg.path, ['-v', 'error', '-i', join(work, music), '-ac', '1', '-ar', String(BEATS_RATE), '-f', 's16le', '-'], { encoding: 'buffer' });
  const buf = Buffer.from(pcm.stdout);
  const t0 = performance.now();
  const beats = detectBeats(new Int16Array(buf.buffer, buf.byteOffset, buf.length / 2));
  const analysis = (performance.now() - t0) / 1000;
  catalog.add(music, null, beats);

  const plan = (zoom: number): Timeline => {
    const job = GoldenFrameJobSchema.parse({ images: [{ category: 'products' }], audio: { category: 'lounge' }, atmosphere: { category: 'glitter' }, text: 'Only today ✨ -50%', duration: SECONDS, output: { resolution, fps: FPS }, style: { zoom } });
    const r = planGoldenFrame(job, catalog, createRng(1));
    if (!r.ok) throw new Error(r.waiting);
    if (!r.plan.beatSynced) throw new Error(`the cuts are not on the beats: ${JSON.stringify(r.plan.notes)}`);
    return r.plan.timeline;
  };
  const zoomed = plan(1.05);
  const still = plan(1);
  const shots = zoomed.layers.filter((l) => l.type === 'image');
  console.log(`golden-frame benchmark (${bins.ffmpeg.version.split(' ').slice(0, 3).join(' ')}; libx264 ${encoder.args.join(' ')}; ${runs} alternated runs each)`);
  console.log(`  ${SECONDS} s at ${width}x${height}@${FPS}: ${shots.length} shots of 1200x1200 photos cut at ${shots.slice(1).map((l) => l.start.toFixed(2)).join(', ')} s, glitter at 70%, the border, a hook; beat analysis of the 20 s track: ${(analysis * 1000).toFixed(0)} ms in Node (${beats.onsets.length} onsets, ${beats.tempo} bpm)`);

  const argvOf = async (tl: Timeline, dir: string) => {
    const paths = new Map(timelineFiles(tl).map((f) => [f, join(work, f)]));
    const argv = await compiledArgv({ bins, config, encoder }, tl, paths, join(work, dir));
    const nul = [...argv];
    // The same pass with the encoder replaced by the null muxer: the filters' cost alone.
    const c = nul.indexOf('-c:v');
    nul.splice(c, nul.indexOf('-r', c) - c, '-c:v', 'rawvideo');
    nul.splice(nul.indexOf('-movflags'), 5, '-f', 'null', '-');
    return { argv, nul, out: join(work, dir, 'out.mp4') };
  };
  const z = await argvOf(zoomed, 'zoom');
  const s = await argvOf(still, 'still');
  // The bare encodes' input: the zoomed render's frames (made once, not timed).
  await execa(bins.ffmpeg.path, z.argv);
  const raw = join(work, 'frames.yuv');
  await ff(['-i', z.out, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', raw]);
  const stillRaw = join(work, 'still-frames.yuv');
  await execa(bins.ffmpeg.path, s.argv);
  await ff(['-i', s.out, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', stillRaw]);
  const bare = (file: string) => ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(FPS), '-i', file, '-c:v', 'libx264', ...encoder.args, '-f', 'mp4', join(work, 'bare.mp4')];
  const res = await alternate(runs, {
    bare: () => ffmpegCpu(bins.ffmpeg.path, bare(raw)),
    render: () => ffmpegCpu(bins.ffmpeg.path, z.argv),
    renderNoZoom: () => ffmpegCpu(bins.ffmpeg.path, s.argv),
    filters: () => ffmpegCpu(bins.ffmpeg.path, z.nul),
    filtersNoZoom: () => ffmpegCpu(bins.ffmpeg.path, s.nul),
    bareNoZoom: () => ffmpegCpu(bins.ffmpeg.path, bare(stillRaw)),
  });
  const frames = await frameCount(bins.ffprobe.path, z.out);
  const b = (k: keyof typeof res) => best(res[k]).cpu;
  console.log(`    frames: ${frames}`);
  console.log(row('bare encode of the frames (x264)', res.bare));
  console.log(row('golden frame, one pass', res.render, `ratio ${fmt(b('render') / b('bare'), 3)}`));
  console.log(row('  its filters alone (-f null)', res.filters));
  console.log(row('golden frame, zoom 1 (no Ken Burns)', res.renderNoZoom, `ratio ${fmt(b('renderNoZoom') / b('bare'), 3)}`));
  console.log(row('  its filters alone (-f null)', res.filtersNoZoom));
  console.log(row('  bare encode of its frames', res.bareNoZoom));
  const kb = b('render') - b('renderNoZoom');
  console.log(`    Ken Burns: +${kb.toFixed(2)} s CPU (${((100 * kb) / b('render')).toFixed(0)}% of the render): filters +${(b('filters') - b('filtersNoZoom')).toFixed(2)} s, x264 on moving pictures +${(b('bare') - b('bareNoZoom')).toFixed(2)} s`);
  const summary = new Summary();
  summary.add({ name: 'golden frame one pass / bare encode of the same frames', value: b('render') / b('bare'), target: null });
  summary.add({ name: 'golden frame with Ken Burns / without (zoom 1)', value: b('render') / b('renderNoZoom'), target: null });
  summary.print();
} finally {
  await rm(work, { recursive: true, force: true });
}
