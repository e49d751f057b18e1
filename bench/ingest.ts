// Ingest throughput for clips that only need moving, and where the time goes.
// Everything is measured side by side in this one run, on the same files:
//   ingest       the main worker's --once over N conforming clips (probe, decode check, move)
//   probe only   ffprobe over the same N files, at the same concurrency
//   decode only  the decode check over the same N files, at the same concurrency
//   rename only  a bare rename(2) of N files: the floor of any "move" ingest
// Run: npm run bench (or node scripts/setup.mjs --bench bench/ingest.ts)
import { appendFile, copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { initRoot } from '../src/cli/commands/init.js';
import { MainWorker } from '../src/main-worker/index.js';
import { loadConfig } from '../src/shared/config.js';
import { Layout } from '../src/shared/layout.js';
import { createLogger } from '../src/shared/log.js';
import { decodeCheck } from '../src/shared/media/decode-check.js';
import { resolveBinaries } from '../src/shared/media/ffmpeg.js';
import { makeClip } from '../src/shared/media/generate.js';
import { probe } from '../src/shared/media/probe.js';

const N = Number(process.env.BENCH_FILES ?? 60);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

async function fill(dir: string, src: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < N; i++) {
    const p = join(dir, `clip ${String(i).padStart(4, '0')}.mp4`);
    await copyFile(src, p);
    await appendFile(p, Buffer.from([i & 255])); // distinct files
    out.push(p);
  }
  return out;
}

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-'));
try {
  const config = loadConfig({ env: {}, overrides: { ingest: { stableMs: 0 }, render: { resolution: '320x180' } } });
  const bins = await resolveBinaries(config);
  const src = join(work, 'src.mp4');
  await makeClip(bins.ffmpeg.path, src, { source: 'testsrc2', width: 320, height: 180, fps: 30, seconds: 3 });
  const conc = config.ingest.concurrency;

  const root = join(work, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  await fill(join(layout.raw, 'video', 'bench'), src);
  const quiet = createLogger({ format: 'line', level: 'error' });
  const worker = new MainWorker({ config, layout, log: quiet, bins });
  const ingest = await timed(() => worker.runOnce());
  const moved = (await readdir(join(layout.scanned, 'video', 'bench', 'mp4_w320_h180'))).length;
  if (moved !== N) throw new Error(`expected ${N} clips moved, got ${moved}`);

  const files = await fill(join(work, 'probe'), src);
  const q = () => new PQueue({ concurrency: conc });
  const pq = q();
  const probeQ = await timed(() => Promise.all(files.map((f) => pq.add(() => probe(bins.ffprobe.path, f)))));
  const dq = q();
  const decodeOnly = await timed(() => Promise.all(files.map((f) => dq.add(() => decodeCheck(bins.ffmpeg.path, f, 3, config.ingest.decodeCheckSeconds)))));
  await mkdir(join(work, 'renamed'));
  const renameOnly = await timed(async () => {
    for (const f of files) await rename(f, join(work, 'renamed', f.split('/').pop()!));
  });

  const row = (name: string, s: number, note: string) => console.log(`${name.padEnd(14)} ${s.toFixed(3).padStart(8)} s  ${(N / s).toFixed(1).padStart(8)} files/s  ${note}`);
  console.log(`ingest benchmark: ${N} conforming 320x180 3 s clips, ingest.concurrency ${conc}, ${bins.ffmpeg.version.split(' ').slice(0, 3).join(' ')}`);
  row('ingest', ingest, '(probe + decode check + move, the real main worker)');
  row('probe only', probeQ, `${((100 * probeQ) / ingest).toFixed(0)}% of ingest`);
  row('decode only', decodeOnly, `${((100 * decodeOnly) / ingest).toFixed(0)}% of ingest`);
  row('rename only', renameOnly, `${((100 * renameOnly) / ingest).toFixed(1)}% of ingest`);
  console.log(`ratio ingest/(probe+decode): ${(ingest / (probeQ + decodeOnly)).toFixed(2)} (1.00 = no overhead beyond the two subprocess steps)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
