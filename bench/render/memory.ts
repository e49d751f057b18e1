// Memory of the ffmpeg a timeline compiles to (the target: 200 clip segments at most
// 1.5x the peak RSS of 6). The voice-over job at 640x360 (a small picture, so that whatever
// grows with the segments weighs the most against the fixed cost of the encoder), cut from
// five conformed 640x360 clips in turn, 0.2, 0.3 or 0.4 s each, every one from another
// inpoint; logo, voice over looped music, libx264 as configured for the bench. The peak RSS
// of the ffmpeg child (VmHWM) of 6 and of 200 segments, run alternately, the median of each.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { alternate, ffmpegPeakRss, fmt, median, type Summary } from './measure.js';
import { compiledArgv, type CpuContext } from './cpu.js';
import { jobMetadata, localPaths, type Cut, type Footage } from './fixtures.js';

/** `n` cuts: clips in turn, 0.2/0.3/0.4 s, inpoints spread over the clip. */
export function shortCuts(f: Footage, n: number): Cut[] {
  const lengths = [0.2, 0.3, 0.4];
  return Array.from({ length: n }, (_, i) => {
    const len = lengths[i % lengths.length]!;
    const start = Math.round(((i * 0.37) % (f.clipSeconds - 0.5)) * 100) / 100;
    return { clip: f.clips[i % f.clips.length]!, in: start, out: Math.round((start + len) * 1000) / 1000 };
  });
}

/** Seconds of output `n` short cuts last. */
export const shortCutsSeconds = (n: number) => Math.round(Array.from({ length: n }, (_, i) => [0.2, 0.3, 0.4][i % 3]!).reduce((a, b) => a + b, 0) * 1000) / 1000;

export async function memorySection(ctx: CpuContext, summary: Summary): Promise<void> {
  const f = ctx.footage;
  const argvs: Record<string, string[]> = {};
  for (const n of [6, 200]) {
    const meta = jobMetadata(f, shortCuts(f, n), f.width, f.height);
    const tl = meta.timeline!;
    const dir = join(ctx.work, `memory-${n}`);
    await mkdir(dir, { recursive: true });
    argvs[`${n} segments`] = await compiledArgv(ctx, tl, localPaths(f, tl), dir);
  }
  console.log(`memory: peak RSS of the ffmpeg child, ${f.width}x${f.height} job cut from ${f.clips.length} clips (${ctx.rounds} alternated runs each):`);
  const runs = await alternate(ctx.rounds, Object.fromEntries(Object.entries(argvs).map(([k, argv]) => [k, () => ffmpegPeakRss(ctx.bins.ffmpeg.path, argv)])));
  const peak: Record<string, number> = {};
  for (const [k, s] of Object.entries(runs)) {
    const n = Number(k.split(' ')[0]);
    const inputs = argvs[k]!.filter((a) => a === '-i').length;
    peak[k] = median(s.map((r) => r.peakMb));
    console.log(`    ${k.padEnd(13)} ${fmt(shortCutsSeconds(n), 1, 5)} s of output, ${inputs} ffmpeg inputs   peak RSS ${fmt(peak[k])} MiB (${s.map((r) => r.peakMb.toFixed(1)).join(' ')})   cpu ${fmt(median(s.map((r) => r.cpu)))} s`);
  }
  const ratio = peak['200 segments']! / peak['6 segments']!;
  console.log(`    peak RSS ratio 200/6 segments: ${ratio.toFixed(3)} (target <= 1.5)`);
  summary.add({ name: 'memory: peak RSS, 200 / 6 clip segments', value: ratio, target: 1.5, note: `${peak['6 segments']!.toFixed(0)} -> ${peak['200 segments']!.toFixed(0)} MiB` });
}
