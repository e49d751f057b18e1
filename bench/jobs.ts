// Job benchmark: a 3-variation multi-part job (docs/jobs.md), each variation rendered in one
// ffmpeg pass from its timeline, against a bare encode of the same frames: ONE ffmpeg reading
// the same clips with the same cuts through the concat demuxer, scaling and cropping them to the
// output and encoding as many frames (the variation's length after speed), with no flip, text,
// effects or audio. Both use libx264 -preset medium -crf 23; variants alternate and the best of
// BENCH_RUNS runs is compared (machines are noisy: only the ratios mean something). The job is
// the issue's: the source flipped, two parts cut from five clips to their narration, a text on
// part 1, a soundtrack over both parts, contrast, brightness, saturation, speed and pitch.
//
// Run: node scripts/setup.mjs --bench bench/jobs.ts
//   BENCH_RUNS=3                   alternated runs of each variant
//   BENCH_RESOLUTION=720x1280      the output (1080x1920 for the size; slower)
// Making the media is not timed.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobSources, planJob, type JobCatalog } from '../src/main-worker/planners/job.js';
import type { CatalogAsset, CatalogNarrationPart } from '../src/shared/catalog.js';
import { jobSeed } from '../src/main-worker/write-job-task.js';
import { loadConfig, type Config, type DeepPartial } from '../src/shared/config.js';
import { JobSchema } from '../src/shared/job.js';
import { encoderSpec } from '../src/shared/media/encoders.js';
import { resolveBinaries } from '../src/shared/media/ffmpeg.js';
import { makeTone } from '../src/shared/media/generate.js';
import { createRng } from '../src/shared/rng.js';
import { compiledArgv } from './render/cpu.js';
import { bareEncode, FPS, frameCount, localPaths, makeFootage } from './render/fixtures.js';
import { alternate, best, ffmpegCpu, fmt, median, row, Summary } from './render/measure.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const resolution = process.env.BENCH_RESOLUTION ?? '720x1280';
const m = /^(\d+)x(\d+)$/.exec(resolution);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS: expected an integer >= 1, got ${process.env.BENCH_RUNS}`);
if (!m || Number(m[1]) % 2 || Number(m[2]) % 2) throw new Error(`BENCH_RESOLUTION: expected an even WIDTHxHEIGHT, got ${resolution}`);
const [width, height] = [Number(m[1]), Number(m[2])];

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-jobs-'));
try {
  const bins = await resolveBinaries(loadConfig({ env: {} }));
  const config = loadConfig({ env: {}, overrides: { render: { encoderArgs: { libx264: ['-preset', 'medium', '-crf', '23'] } } } as DeepPartial<Config> });
  const encoder = encoderSpec('libx264', config);
  // Six 720p clips with motion (the first is the source), two narration parts, music.
  const footage = await makeFootage(bins.ffmpeg.path, work, { count: 6, width: 1280, height: 720, clipSeconds: 4, seconds: 3 });
  const narration: CatalogNarrationPart[] = [];
  for (const [part, seconds] of [[1, 3], [2, 2.5]] as const) {
    const path = `scanned/narration/bench/camp/part_000${part}.mp3`;
    await mkdir(join(work, 'scanned/narration/bench/camp'), { recursive: true });
    await makeTone(bins.ffmpeg.path, join(work, path), { seconds, freqs: [300 + part * 50] });
    narration.push({ path, id: `bench/camp/part_000${part}`, category: 'bench', campaign: 'camp', part, take: 1, duration: seconds, tags: [] });
  }
  const assets: CatalogAsset[] = [
    ...footage.clips.map((path, i): CatalogAsset => ({ kind: 'video', path, id: `clip${i}`, duration: footage.clipSeconds, tags: [], category: i === 0 ? 'source' : 'cars', videoClass: `mp4_w${footage.width}_h${footage.height}`, width: footage.width, height: footage.height })),
    { kind: 'music', path: 'music.mp3', id: 'music', duration: 30, tags: [], category: 'upbeat' },
    ...narration.map((n): CatalogAsset => ({ kind: 'narration', ...n })),
  ];
  const catalog: JobCatalog = {
    byId: (id) => assets.find((a) => 'id' in a && a.id === id) ?? null,
    assets: () => assets,
    narration: () => new Map(narration.map((n) => [n.part, [n]])),
  };
  const job = JobSchema.parse({
    variations: 3,
    sources: [{ category: 'source' }],
    output: { resolution, fps: FPS },
    flip_source: true,
    parts: [
      { footage: [{ category: 'cars' }], clips: 4, clip_seconds: { min: 0.6, max: 1.2 }, narration: { category: 'bench', campaign: 'camp', part: 1 }, text: { text: 'Spring deals', fonts: ['DejaVu Sans'], sizes: [Math.round(Math.min(width, height) * 0.08)] } },
      { footage: [{ category: 'cars' }], clips: 3, clip_seconds: { min: 0.8, max: 1.5 }, narration: { category: 'bench', campaign: 'camp', part: 2 } },
    ],
    soundtrack: { music: { category: 'upbeat' }, from_part: 1, to_part: 2, volume: 0.25 },
    uniqueness: { contrast: [0.95, 1.05], brightness: [-0.03, 0.03], saturation: [0.95, 1.08], speed: [0.97, 1.03], pitch: [0.97, 1.03] },
  });
  const source = jobSources(job, catalog).sources[0]!;
  console.log(`job benchmark (${bins.ffmpeg.version.split(' ').slice(0, 3).join(' ')}; libx264 ${encoder.args.join(' ')}; ${runs} alternated runs each)`);
  console.log(`  3 variations of a 2-part job at ${width}x${height}@${FPS}: the source flipped, 7 shots from 1280x720 clips, a text, narration and a soundtrack, effects`);
  const summary = new Summary();
  const avoid: string[][] = [];
  const ratios: number[] = [];
  for (let v = 0; v < job.variations; v++) {
    const r = planJob({ job, source }, catalog, { width, height, fps: FPS, fonts: [] }, createRng(jobSeed('bench', source.id, v)), avoid);
    if (!r.ok) throw new Error(r.waiting);
    avoid.push(r.plan.sequence);
    const tl = r.plan.timeline;
    const dir = join(work, `v${v}`);
    await mkdir(dir, { recursive: true });
    const paths = localPaths(footage, tl);
    const compiled = await compiledArgv({ bins, config, encoder }, tl, paths, join(dir, 'compiled'));
    const bare = await bareEncode(tl, paths, encoder.args, join(dir, 'bare.ffconcat'), join(dir, 'bare.mp4'));
    // As many frames as the variation has: its length after speed.
    bare[bare.indexOf('-t') + 1] = String(r.plan.seconds);
    const e = tl.effects;
    console.log(`  variation ${v + 1}: ${r.plan.seconds.toFixed(2)} s, ${tl.video.length} segments; contrast ${e.contrast} brightness ${e.brightness} saturation ${e.saturation} speed ${e.speed} pitch ${e.pitch}`);
    const res = await alternate(runs, { bare: () => ffmpegCpu(bins.ffmpeg.path, bare), compiled: () => ffmpegCpu(bins.ffmpeg.path, compiled) });
    // CPU per frame: the bare encode cannot run past the end of its clips when speed < 1, so the
    // two may encode a few frames apart.
    const frames = await Promise.all([join(dir, 'bare.mp4'), join(dir, 'compiled', 'out.mp4')].map((f) => frameCount(bins.ffprobe.path, f)));
    const perFrame = frames[0]! / frames[1]!;
    const ratio = (best(res.compiled).cpu / best(res.bare).cpu) * perFrame;
    ratios.push(ratio);
    const medians = (median(res.compiled.map((x) => x.cpu)) / median(res.bare.map((x) => x.cpu))) * perFrame;
    console.log(row('bare encode (scale+crop, x264)', res.bare));
    console.log(row('the variation (one ffmpeg pass)', res.compiled, `ratio per frame ${fmt(ratio, 3)} (medians ${fmt(medians, 3, 5)})`));
    console.log(`    frames encoded: bare ${frames[0]}, variation ${frames[1]}`);
    summary.add({ name: `job variation ${v + 1}: one pass / bare encode, per frame`, value: ratio, target: 1.05 });
  }
  summary.add({ name: 'job, mean of the 3 variations (per frame)', value: ratios.reduce((s, x) => s + x, 0) / ratios.length, target: 1.05 });
  summary.print();
} finally {
  await rm(work, { recursive: true, force: true });
}
