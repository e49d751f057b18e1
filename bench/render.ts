// Render benchmarks, measured side by side in one run (machines are noisy: only the ratios
// mean something; variants alternate and the best of BENCH_RUNS runs each is compared). Each
// section's module says what it measures and how:
//   cpu     (render/cpu.ts)    the compiled ffmpeg argv, and the whole render worker process
//                              with its children, against a bare encode of the same clips
//                              (scale + crop + x264, one concat demuxer) on a 9:16 and a 16:9
//                              voice-over job; target <= 1.05. BENCH_BREAKDOWN=1 adds variants
//                              that show where the extra goes;
//   memory  (render/memory.ts) peak RSS of the ffmpeg of 200 clip segments against 6; <= 1.5;
//   text    (render/text.ts)   a text layer with stroke and box against none; <= 1.10;
//   batch   (render/batch.ts)  a batch through a throttled share, pipelined against sequential.
// Ken Burns has its own script (bench/kenburns.ts). A summary of every ratio comes last.
//
// Run: npm run bench, or node scripts/setup.mjs --bench bench/render.ts
//   BENCH_SECTIONS=cpu,memory,text,batch  the sections to run (default: all)
//   BENCH_RUNS=3                          alternated runs of each variant
//   BENCH_SECONDS=10                      length of the cpu and text jobs (six clips; at most 15)
//   BENCH_BREAKDOWN=1                     the cpu section's breakdown variants (slow)
// The encodes use libx264 -preset medium -crf 23 (render.encoderArgs.libx264), the batch the
// default encoder arguments. Making the media is not timed.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config, type DeepPartial } from '../src/shared/config.js';
import { encoderSpec } from '../src/shared/media/encoders.js';
import { resolveBinaries } from '../src/shared/media/ffmpeg.js';
import { batchSection } from './render/batch.js';
import { cpuSection, type CpuContext } from './render/cpu.js';
import { makeFootage } from './render/fixtures.js';
import { Summary } from './render/measure.js';
import { memorySection } from './render/memory.js';
import { textSection } from './render/text.js';

const SECTIONS = ['cpu', 'memory', 'text', 'batch'] as const;
const wanted = (process.env.BENCH_SECTIONS ?? SECTIONS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const s of wanted) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`BENCH_SECTIONS: unknown section ${JSON.stringify(s)} (expected some of ${SECTIONS.join(', ')})`);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS: expected an integer >= 1, got ${process.env.BENCH_RUNS}`);
if (!(seconds >= 1 && seconds <= 15)) throw new Error(`BENCH_SECONDS: expected 1 to 15, got ${process.env.BENCH_SECONDS}`);

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-render-'));
try {
  const defaults = loadConfig({ env: {} });
  const bins = await resolveBinaries(defaults);
  const args = ['-preset', 'medium', '-crf', '23'];
  const config = loadConfig({ env: {}, overrides: { render: { encoderArgs: { libx264: args }, scratchDir: join(work, 'scratch') }, disk: { minFreeMb: 0 } } as DeepPartial<Config> });
  const encoder = encoderSpec('libx264', config);
  console.log(`render benchmarks (${bins.ffmpeg.version.split(' ').slice(0, 3).join(' ')}; sections ${wanted.join(', ')}; ${runs} runs each)`);
  const summary = new Summary();
  const base = { work, bins, config, encoder, rounds: runs, breakdown: process.env.BENCH_BREAKDOWN === '1' };
  if (wanted.includes('cpu') || wanted.includes('text')) {
    // Six 1080p clips, each long enough for its share of the job from 0.5 s in.
    const dir = join(work, 'footage-1080p');
    await mkdir(dir, { recursive: true });
    const footage = await makeFootage(bins.ffmpeg.path, dir, { count: 6, width: 1920, height: 1080, clipSeconds: Math.ceil(seconds / 6 + 1), seconds });
    const ctx: CpuContext = { ...base, footage };
    if (wanted.includes('cpu')) await cpuSection(ctx, summary);
    if (wanted.includes('text')) await textSection(ctx, summary);
  }
  if (wanted.includes('memory')) {
    const dir = join(work, 'footage-360p');
    await mkdir(dir, { recursive: true });
    // The voice lasts as long as the longest timeline (200 segments of 0.2-0.4 s).
    const footage = await makeFootage(bins.ffmpeg.path, dir, { count: 5, width: 640, height: 360, clipSeconds: 3, seconds: 60 });
    await memorySection({ ...base, footage }, summary);
  }
  if (wanted.includes('batch')) await batchSection({ work, bins, encoder: encoderSpec('libx264', defaults) }, summary);
  summary.print();
} finally {
  await rm(work, { recursive: true, force: true });
}
