// Render CPU against a bare encode (the target: at most 1.05, whole worker process
// included), on the voice-over job at 9:16 (1080x1920: 1080p clips cover-cropped) and 16:9
// (1920x1080), with libx264 -preset medium -crf 23. Three variants, run alternately, `rounds`
// times each, the best of each compared:
//   bare      ONE ffmpeg reading the same clips with the concat demuxer (same in/out points),
//             scaling and cropping them to the output and encoding them: no overlays, no audio;
//   compiled  the argv compileTimeline makes for the job (prepareRender, as the worker runs it):
//             CPU of the ffmpeg child (cutime + cstime of this process after it is reaped);
//   worker    RenderWorker.runOnce over a fresh root holding the one task: this Node process's
//             own CPU (process.cpuUsage: claiming, copying the inputs to scratch, probing,
//             progress parsing, verification, upload, heartbeat) plus every child's (ffprobe,
//             ffmpeg). Making the root is not timed.
// With BENCH_BREAKDOWN=1, variants of the compiled argv on the 9:16 job say where the extra
// goes (render/breakdown.ts).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RenderWorker } from '../../src/render-worker/index.js';
import type { Config } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/log.js';
import type { EncoderSpec } from '../../src/shared/media/encoders.js';
import type { Binaries } from '../../src/shared/media/ffmpeg.js';
import type { TaskMetadata } from '../../src/shared/task.js';
import { prepareRender } from '../../src/shared/timeline/prepare.js';
import type { Timeline } from '../../src/shared/timeline/schema.js';
import { breakdown, workerParts } from './breakdown.js';
import { bareEncode, evenCuts, frameCount, jobMetadata, localPaths, workerRoot, type Footage } from './fixtures.js';
import { alternate, best, childCpu, ffmpegCpu, fmt, median, ownCpu, row, type Sample, type Summary } from './measure.js';

export interface CpuContext {
  work: string;
  bins: Binaries;
  config: Config;
  encoder: EncoderSpec;
  /** 1080p clips of the job. */
  footage: Footage;
  rounds: number;
  breakdown: boolean;
}

/** The compiled argv of `tl` with its aux files written into `dir`, output `dir/out.mp4`. */
export async function compiledArgv(ctx: Pick<CpuContext, 'bins' | 'config' | 'encoder'>, tl: Timeline, paths: ReadonlyMap<string, string>, dir: string, fontsDirs: string[] = []): Promise<string[]> {
  const c = await prepareRender(tl, { paths, workDir: dir, output: join(dir, 'out.mp4'), encoder: ctx.encoder, ffprobe: ctx.bins.ffprobe.path, audioBitrate: ctx.config.render.audioBitrate, fontsDirs, progress: false });
  return c.argv;
}

/** One run of a render worker over a fresh root holding `meta` (the root made before the clocks start). */
async function workerRun(ctx: CpuContext, meta: TaskMetadata, root: string): Promise<Sample & { own: number; output: string }> {
  const layout = await workerRoot(root, ctx.footage, meta);
  const worker = new RenderWorker({ config: ctx.config, layout, log: createLogger({ format: 'line', level: 'error' }), bins: ctx.bins, encoder: ctx.encoder, node: 'bench-cpu' });
  const c0 = await childCpu();
  const o0 = ownCpu();
  const t0 = performance.now();
  const t = await worker.runOnce();
  const wall = (performance.now() - t0) / 1000;
  const own = ownCpu() - o0;
  const cpu = own + ((await childCpu()) - c0);
  await worker.close();
  if (t.done !== 1) throw new Error(`the render worker rendered ${t.done} of 1 task (${t.failed} failed); see ${root}/trash/failed`);
  return { cpu, own, wall, output: join(layout.output, meta.task_id, 'final.mp4') };
}

async function job(ctx: CpuContext, summary: Summary, label: string, width: number, height: number): Promise<void> {
  const dir = join(ctx.work, `cpu-${width}x${height}`);
  await mkdir(dir, { recursive: true });
  const meta = jobMetadata(ctx.footage, evenCuts(ctx.footage), width, height);
  const tl = meta.timeline!;
  const paths = localPaths(ctx.footage, tl);
  const compiled = await compiledArgv(ctx, tl, paths, join(dir, 'compiled'));
  const bare = await bareEncode(tl, paths, ctx.encoder.args, join(dir, 'bare.ffconcat'), join(dir, 'bare.mp4'));
  let roots = 0;
  let workerOut = '';
  console.log(`  ${label}: ${width}x${height}@${tl.output.fps}, ${tl.output.duration} s, ${tl.video.length} clips of ${ctx.footage.width}x${ctx.footage.height} cover-cropped, logo, voice over looped music (${ctx.rounds} alternated runs each):`);
  const runs = await alternate(ctx.rounds, {
    bare: () => ffmpegCpu(ctx.bins.ffmpeg.path, bare),
    compiled: () => ffmpegCpu(ctx.bins.ffmpeg.path, compiled),
    worker: async () => {
      const r = await workerRun(ctx, meta, join(dir, `root${++roots}`));
      workerOut = r.output;
      return r;
    },
  });
  const b = best(runs.bare).cpu;
  const ratio = (s: Sample[]) => best(s).cpu / b;
  const medianRatio = (s: Sample[]) => median(s.map((x) => x.cpu)) / median(runs.bare.map((x) => x.cpu));
  console.log(row('bare encode (scale+crop, x264)', runs.bare));
  console.log(row('compiled argv (ffmpeg alone)', runs.compiled, `ratio ${fmt(ratio(runs.compiled), 3)} (medians ${fmt(medianRatio(runs.compiled), 3, 5)})`));
  console.log(row('render worker (process + children)', runs.worker, `ratio ${fmt(ratio(runs.worker), 3)} (medians ${fmt(medianRatio(runs.worker), 3, 5)})`));
  const w = best(runs.worker);
  console.log(`    worker's best run: Node process ${w.own.toFixed(2)} s + children (ffmpeg, ffprobe) ${(w.cpu - w.own).toFixed(2)} s; ${(w.cpu - best(runs.compiled).cpu).toFixed(2)} s over the compiled argv's best`);
  const frames = await Promise.all([join(dir, 'bare.mp4'), join(dir, 'compiled', 'out.mp4'), workerOut].map((f) => frameCount(ctx.bins.ffprobe.path, f)));
  console.log(`    frames encoded: bare ${frames[0]}, compiled ${frames[1]}, worker ${frames[2]}`);
  summary.add({ name: `cpu ${label}: compiled argv / bare encode`, value: ratio(runs.compiled), target: 1.05 });
  summary.add({ name: `cpu ${label}: render worker / bare encode`, value: ratio(runs.worker), target: 1.05 });
  if (ctx.breakdown && width < height) {
    await breakdown(ctx, tl, paths, bare, dir);
    await workerParts(ctx, tl, paths, join(dir, 'compiled', 'out.mp4'), dir);
  }
}

export async function cpuSection(ctx: CpuContext, summary: Summary): Promise<void> {
  console.log(`cpu: render CPU against a bare encode, libx264 ${ctx.encoder.args.join(' ')}`);
  await job(ctx, summary, '9:16', 1080, 1920);
  await job(ctx, summary, '16:9', 1920, 1080);
}
