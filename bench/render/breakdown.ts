// Where the compiled argv's CPU beyond the bare encode goes (BENCH_BREAKDOWN=1), on the 9:16
// job, in two sets of alternated runs:
//   whole encodes   the compiled argv with one thing taken away at a time (the logo, the
//                   audio, both, the select/fps that drops what is decoded before an inpoint,
//                   -copyts), as ratios to the bare encode; and the job with every clip cut
//                   from 0.5 s in, bare and compiled (a bare concat encode scales the frames
//                   decoded before an inpoint, which the compiled argv drops unscaled);
//   no encoder      the same graphs with the video sent to `-f null` (decoding and filters
//                   only, x264's share taken out, so that the filters' own cost is not lost in
//                   the encoder's noise), the audio still encoded to AAC where there is audio;
//                   as CPU seconds over the bare encode's decode + scale + crop.
//   worker parts    what the render worker does besides running ffmpeg, each alone (CPU of this
//                   process and its children): copying the inputs to scratch (copyRegularFile,
//                   against fs.copyFile's kernel copy for scale), probing the clips and the
//                   voice (prepareRender's clipSources and audioDurations: one ffprobe each),
//                   probing the output (verification).
// Both sets of encodes include the cover-crop done the other way round (crop in source pixels, then scale
// only what is kept), a proposed change of fitChains('crop') in src/shared/timeline/fit.ts.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { probe } from '../../src/shared/media/probe.js';
import { copyRegularFile } from '../../src/shared/safe-files.js';
import { audioDurations, clipSources } from '../../src/shared/timeline/prepare.js';
import { TimelineSchema, type Timeline } from '../../src/shared/timeline/schema.js';
import { DROP_PREROLL } from '../../src/shared/timeline/video.js';
import { compiledArgv, type CpuContext } from './cpu.js';
import { bareEncode, evenCuts, jobMetadata } from './fixtures.js';
import { alternate, best, childCpu, ffmpegCpu, fmt, ownCpu, row, type Sample } from './measure.js';

/** `argv` with its outputs replaced: the video to `-f null`, the audio (when mapped) encoded to AAC and discarded. */
export function toNull(argv: readonly string[]): string[] {
  const first = argv.findIndex((a) => a === '-map' || a === '-vf');
  if (first < 0) throw new Error('no -map or -vf in the argv');
  const head = argv.slice(0, argv[first] === '-vf' ? first + 2 : first);
  const maps = argv.flatMap((a, i) => (a === '-map' ? [argv[i + 1]!] : []));
  const [video, audio] = argv[first] === '-vf' ? [null, null] : [maps[0]!, maps[1] ?? null];
  return [
    ...head,
    ...(video ? ['-map', video] : []), '-an', '-f', 'null', '-',
    ...(audio ? ['-map', audio, '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2', '-f', 'null', '-'] : []),
  ];
}

/** The crop fit of the proposal: 1920x1080 -> 1080x1920 crops 608x1080 and scales that, instead of scaling to 3413x1920 and cropping. */
export function cropFirstFit(w: number, h: number): string {
  return `crop=w='min(iw,2*round(ih*${w}/${h}/2))':h='min(ih,2*round(iw*${h}/${w}/2))',scale=${w}:${h}`;
}

/** `argv` with its cover-crop (fit.ts's scale, then crop) replaced by cropFirstFit. */
export function withCropFirst(argv: readonly string[], w: number, h: number): string[] {
  const now = `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`;
  if (!argv.some((a) => a.includes(now))) throw new Error(`no ${now} in the argv`);
  return argv.map((a) => a.replace(now, cropFirstFit(w, h)));
}

export async function breakdown(ctx: CpuContext, tl: Timeline, paths: ReadonlyMap<string, string>, bare: string[], dir: string): Promise<void> {
  const variant = (name: string, t: Timeline) => compiledArgv(ctx, TimelineSchema.parse(t), paths, join(dir, name));
  const full = await compiledArgv(ctx, tl, paths, join(dir, 'full'));
  // Not a correct render (frames decoded before an inpoint would be kept): its cost only.
  const runChain = new RegExp(`${DROP_PREROLL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},fps=${tl.output.fps}(:start_time=0)?`);
  if (!full.some((a) => runChain.test(a))) throw new Error(`no ${runChain.source} in the compiled argv`);
  const noSelect = full.map((a) => a.replace(runChain, 'null'));
  const noLogo = await variant('nologo', { ...tl, layers: [] });
  const video = await variant('video', { ...tl, layers: [], audio: [] });
  const cut = jobMetadata(ctx.footage, evenCuts(ctx.footage, 0.5), tl.output.width, tl.output.height).timeline!;
  const whole: Record<string, string[]> = {
    bare,
    full,
    'no logo': noLogo,
    'no audio': await variant('noaudio', { ...tl, audio: [] }),
    'no logo, no audio': video,
    'no select/fps (cost only)': noSelect,
    'no -copyts (cost only)': full.filter((a) => a !== '-copyts'),
    'crop before scale (proposed)': withCropFirst(full, tl.output.width, tl.output.height),
    'bare, clips from 0.5 s': await bareEncode(cut, paths, ctx.encoder.args, join(dir, 'cut.ffconcat'), join(dir, 'cut.mp4')),
    'compiled, clips from 0.5 s': await variant('cut', cut),
  };
  const run = (set: Record<string, string[]>) => alternate(ctx.rounds, Object.fromEntries(Object.entries(set).map(([k, argv]) => [k, () => ffmpegCpu(ctx.bins.ffmpeg.path, argv)])));
  console.log(`  breakdown, 9:16, whole encodes (${ctx.rounds} alternated runs each; ratio to the bare encode):`);
  const a = await run(whole);
  for (const [k, s] of Object.entries(a)) console.log(row(k, s, `ratio ${fmt(best(s).cpu / best(a.bare!).cpu, 3)}`));
  console.log(`    clips from 0.5 s: compiled / bare ${fmt(best(a['compiled, clips from 0.5 s']!).cpu / best(a['bare, clips from 0.5 s']!).cpu, 3)}`);

  const nulls: Record<string, string[]> = {
    'bare: decode, scale, crop': toNull(bare),
    'compiled, video only': toNull(video),
    'compiled, video + logo': toNull(whole['no audio']!),
    'compiled, video + audio': toNull(noLogo),
    'compiled, all': toNull(full),
    'compiled, all, no select/fps': toNull(noSelect),
    'compiled, all, crop before scale': toNull(withCropFirst(full, tl.output.width, tl.output.height)),
  };
  console.log(`  breakdown, 9:16, no encoder (video to -f null; CPU seconds over the bare decode + scale + crop):`);
  const n = await run(nulls);
  const b = best(n['bare: decode, scale, crop']!).cpu;
  for (const [k, s] of Object.entries(n)) console.log(row(k, s, `+${fmt(best(s).cpu - b, 2, 5)} s`));
}

/** CPU (this process and its children) and wall time of `fn`. */
async function timed(fn: () => Promise<unknown>): Promise<Sample> {
  const c0 = await childCpu();
  const o0 = ownCpu();
  const t0 = performance.now();
  await fn();
  return { cpu: ownCpu() - o0 + ((await childCpu()) - c0), wall: (performance.now() - t0) / 1000 };
}

/** The render worker's own work around the ffmpeg run, each part alone; `output` is a render of the job. */
export async function workerParts(ctx: CpuContext, tl: Timeline, paths: ReadonlyMap<string, string>, output: string, dir: string): Promise<void> {
  const copyAll = (copy: (src: string, dst: string) => Promise<void>) => async () => {
    const to = join(dir, 'copies');
    await rm(to, { recursive: true, force: true });
    await mkdir(to, { recursive: true });
    let i = 0;
    for (const src of paths.values()) await copy(src, join(to, String(i++)));
  };
  const ffprobe = ctx.bins.ffprobe.path;
  console.log(`  breakdown, the render worker's work besides ffmpeg, each part alone (${ctx.rounds} alternated runs each; CPU of this process and its children):`);
  const runs = await alternate(ctx.rounds, {
    [`copy the ${paths.size} inputs (copyRegularFile)`]: () => timed(copyAll(copyRegularFile)),
    'the same with fs.copyFile': () => timed(copyAll(copyFile)),
    [`probe the ${tl.video.length} clips and the voice`]: () =>
      timed(async () => {
        await clipSources(tl, paths, ffprobe);
        await audioDurations(tl, paths, ffprobe);
      }),
    'probe the output (verification)': () => timed(() => probe(ffprobe, output)),
  });
  for (const [k, s] of Object.entries(runs)) console.log(row(k, s));
}
