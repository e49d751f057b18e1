// Chunked rendering (docs/chunks.md), measured side by side in one run: one long task (a
// 4-minute timeline at 640x360: 24 clip segments of grainy footage, a text layer, music) rendered
//   whole     by 1 worker, render.chunkSeconds 0 (the baseline);
//   1 worker  chunked (render.chunkSeconds 60: 4 chunks and the audio, then the join);
//   2 workers chunked, each its own core.
// Each worker is a real `clipmill render-worker` process pinned to one core with taskset (its
// ffmpeg children inherit the pin) and x264 told -threads 1, so that the 2-core machine
// stands for two single-core nodes; the workers run with the default settings otherwise
// (render.prefetch 1). They are started first and the task is published once each says it
// is idle (nodes/<node>.json), as on a farm whose nodes wait for work. Wall time from the
// task's publication to its final in output/; targets: whole / 2 workers >= 1.7 (0.85 per node), and the join's CPU (the
// stream-copy concat and mux, its verification probes and its poster, run again here alone
// and timed from /proc) at most 2% of the CPU of the chunked render.
//
// Run: node scripts/setup.mjs --bench bench/chunks.ts
//   BENCH_SECONDS=240  the timeline's length (at least 20)
//   BENCH_CHUNK=60     render.chunkSeconds of the chunked variants
//   BENCH_KEEP=1       keep the roots (and each worker's log, <root>/worker-<k>.log) in the temp folder printed
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { initRoot } from '../src/cli/commands/init.js';
import { loadConfig } from '../src/shared/config.js';
import { exists } from '../src/shared/fs.js';
import { Layout } from '../src/shared/layout.js';
import { resolveBinaries } from '../src/shared/media/ffmpeg.js';
import { probeSeams, probeWithSeams } from '../src/shared/media/seams.js';
import { retiredChunkDir } from '../src/shared/protocol/chunks.js';
import type { Report } from '../src/shared/protocol/files.js';
import { writeMetadata } from '../src/shared/protocol/task-files.js';
import { buildFfconcat, METADATA_SCHEMA_VERSION, type TaskMetadata } from '../src/shared/task.js';
import { joinArgv } from '../src/shared/timeline/compile-chunk.js';
import { TimelineSchema } from '../src/shared/timeline/schema.js';
import { packageRoot } from '../src/shared/package-root.js';
import { childCpu } from './render/measure.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 240);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 60);
if (!(SECONDS >= 20)) throw new Error(`BENCH_SECONDS: expected at least 20, got ${process.env.BENCH_SECONDS}`);
if (!(CHUNK > 0 && CHUNK < SECONDS)) throw new Error(`BENCH_CHUNK: expected a number of seconds below BENCH_SECONDS, got ${process.env.BENCH_CHUNK}`);
const KEEP = process.env.BENCH_KEEP === '1';
const ID = '3b0c4a56-8f0e-4d7e-9f51-6c2d8e1a9b70';
const CLI = join(packageRoot(), 'bin', 'clipmill');

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-chunks-'));
try {
  const bins = await resolveBinaries(loadConfig({ env: {} }));
  const ff = (args: string[]) => execa(bins.ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  // The media (not timed): four 12 s clips of moving test patterns with temporal grain (a
  // clean synthetic pattern encodes several times faster than camera footage, which would make
  // the audio, mixed and encoded once whatever the chunks, an unrealistic share of the work),
  // stored nearly lossless; a 10 s tone looped as music.
  const media = join(work, 'media');
  await mkdir(media);
  const sources = ['testsrc2', 'smptebars', 'rgbtestsrc', 'testsrc'];
  await Promise.all(sources.map((s, i) => ff(['-f', 'lavfi', '-i', `${s}=s=640x360:r=30:d=12`, '-vf', 'noise=alls=12:allf=t+u,format=yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', '-g', '60', join(media, `clip${i}.mp4`)])));
  await ff(['-f', 'lavfi', '-i', 'aevalsrc=0.2*sin(2*PI*220*t)|0.2*sin(2*PI*330*t):s=48000:d=10', '-c:a', 'pcm_s16le', join(media, 'music.wav')]);
  const timeline = TimelineSchema.parse({
    output: { width: 640, height: 360, fps: 30, duration: SECONDS },
    video: Array.from({ length: Math.ceil(SECONDS / 10) }, (_, i) => ({ type: 'clip', file: `clip${i % 4}.mp4`, in: 1, out: 11 })),
    layers: [{ type: 'text', text: 'Chapter one', start: 0, position: 'bottom', margin: 24, size: 28, box: {} }],
    audio: [{ file: 'music.wav', loop: true, fade_in: 1, fade_out: 2, volume: 0.5 }],
  });
  const config = (chunkSeconds: number) => ({
    render: { encoders: ['libx264'], encoderArgs: { libx264: ['-preset', 'veryfast', '-crf', '20', '-threads', '1'] }, chunkSeconds, pollIntervalMs: 100, scratchDir: join(work, 'scratch') },
    tasks: { indexRescanMs: 200 },
    ...(KEEP ? { log: { format: "json", level: "debug" } } : {}),
    disk: { minFreeMb: 0 },
  });

  /** A fresh root with the task published; the workers started (one per core), until output/<id>/final.mp4; wall and CPU seconds. */
  const run = async (name: string, workers: number, chunkSeconds: number): Promise<{ root: Layout; wall: number; cpu: number; perWorker: number[] }> => {
    const root = new Layout(join(work, name));
    await initRoot(root.root);
    // Built beside tasks/ and renamed in (as a planner publishes), once the workers are idle.
    const dir = join(root.root, `build-${ID}`);
    await mkdir(dir);
    for (const f of await readdir(media)) await copyFile(join(media, f), join(dir, f));
    const cfg = join(work, `${name}.json`);
    await writeFile(cfg, JSON.stringify(config(chunkSeconds)));
    const meta = {
      schema_version: METADATA_SCHEMA_VERSION, task_id: ID, created_at: new Date().toISOString(), category: 'bench', story_name: 'long', variation: 0, seed: 1, attempts: 0,
      voice_file: null, voice_source: null, voice_duration: SECONDS, music_file: null, music_source: null, music_duration: null, video_list: null, video_class: 'mp4_w640_h360',
      video_files: [{ path: 'clip0.mp4', duration: 12, in: 1, out: 11 }], audio: { voice_volume: 1, music_volume: 0.5, fade_out_seconds: 2 },
      render: { resolution: '640x360', frame_rate: 30, fit: 'crop', logo: null, logo_width: 0.12, output_format: 'mp4' }, timeline,
      job: { name: 'bench', source: 'clip0', source_path: 'clip0.mp4', variation: 0, variations: 1, narrations: [], texts: [], logo: null },
    } as TaskMetadata;
    await writeMetadata(dir, meta);
    const procs = Array.from({ length: workers }, (_, k) =>
      execa('taskset', ['-c', String(k % 2), CLI, 'render-worker', '--root', root.root, '--config', cfg], { env: { CLIPMILL_NODE_ID: `bench${k + 1}` }, reject: false, ...(KEEP ? { stderr: { file: join(root.root, `worker-${k + 1}.log`) } } : {}) }),
    );
    let ended: string | null = null;
    for (const p of procs) void p.then((r) => (ended ??= `exit ${r.exitCode}: ${r.stderr.slice(-2000)}`));
    const idle = async (k: number) => {
      const hb = await readFile(root.heartbeat(`bench${k + 1}`), 'utf8').catch(() => '');
      return hb !== '' && (JSON.parse(hb) as { state: string }).state === 'idle';
    };
    for (let k = 0; k < workers; k++) {
      while (!(await idle(k))) {
        if (ended) throw new Error(`${name}: a worker ended before it was ready (${ended})`);
        await sleep(50);
      }
    }
    const cpuBefore = await Promise.all(procs.map((p) => processCpu(p.pid!)));
    const t0 = performance.now();
    await rename(dir, root.task(ID));
    const final = join(root.outputTask(ID), 'final.mp4');
    while (!(await exists(final))) {
      if (ended) throw new Error(`${name}: a worker ended before the final (${ended})`);
      await sleep(100);
    }
    const wall = (performance.now() - t0) / 1000;
    // Each worker's CPU so far, its ffmpeg children (reaped by it) included: what each single-core node spent.
    const perWorker = (await Promise.all(procs.map((p) => processCpu(p.pid!)))).map((c, k) => c - cpuBefore[k]!);
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs);
    // CPU from the publication to the final: each worker's, its ffmpeg children included.
    return { root, wall, cpu: perWorker.reduce((a, b) => a + b, 0), perWorker };
  };

  /** CPU seconds of a live process and of its reaped children: utime, stime, cutime, cstime of stat(5). */
  const processCpu = async (pid: number): Promise<number> => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  };

  console.log(`chunked rendering benchmark: a ${SECONDS} s timeline at 640x360@30, render.chunkSeconds ${CHUNK}, each worker pinned to one core, x264 -threads 1 (${bins.ffmpeg.version.split(' ').slice(0, 3).join(' ')})`);
  const whole = await run('whole', 1, 0);
  console.log(`  whole, 1 worker:     ${whole.wall.toFixed(1)} s wall, ${whole.cpu.toFixed(1)} s CPU`);
  const one = await run('chunked-1', 1, CHUNK);
  console.log(`  chunked, 1 worker:   ${one.wall.toFixed(1)} s wall, ${one.cpu.toFixed(1)} s CPU`);
  const two = await run('chunked-2', 2, CHUNK);
  console.log(`  chunked, 2 workers:  ${two.wall.toFixed(1)} s wall, ${two.cpu.toFixed(1)} s CPU (${two.perWorker.map((c) => `${c.toFixed(1)} s`).join(' + ')} per worker)`);

  // The join alone, again, on the artifacts of the 2-worker run: its CPU from /proc.
  // Once the join is published, the artifacts are retired to trash/chunks/<id>/ (docs/chunks.md).
  const chunkDir = (await exists(two.root.chunkDir(ID))) ? two.root.chunkDir(ID) : retiredChunkDir(two.root, ID);
  const videos = (await readdir(chunkDir)).filter((n) => /^\d+\.mp4$/.test(n)).sort((a, b) => parseInt(a) - parseInt(b));
  const list = join(chunkDir, '.bench.ffconcat');
  await writeFile(list, buildFfconcat(videos));
  const joined = join(work, 'joined-again.mp4');
  const j0 = await childCpu();
  await execa(bins.ffmpeg.path, joinArgv(list, join(chunkDir, 'audio.m4a'), joined, false));
  const { seams } = await probeWithSeams(bins.ffprobe.path, joined);
  await execa(bins.ffmpeg.path, ['-v', 'error', '-y', '-ss', String(SECONDS / 3), '-i', joined, '-frames:v', '1', '-q:v', '3', '-update', '1', '-f', 'image2', join(work, 'poster.jpg')]);
  const joinCpu = (await childCpu()) - j0;

  const report = JSON.parse(await readFile(join(two.root.outputTask(ID), 'report.json'), 'utf8')) as Report;
  // Who rendered what in the 2-worker run, and how long each render took.
  const doneDir = join(chunkDir, 'done');
  const parts: string[] = [];
  for (const d of await readdir(doneDir)) {
    const r = JSON.parse(await readFile(join(doneDir, d, 'report.json'), 'utf8')) as Report;
    const t = r.timings_s;
    parts.push(`${r.node} ${t.total}s (render ${t.render}, download ${t.download}, verify ${t.verify}, upload ${t.upload})`);
  }
  console.log(`  2-worker chunk tasks:\n    ${parts.sort().join('\n    ')}\n  the join: ${report.node} ${report.timings_s.total}s (render ${report.timings_s.render}, verify ${report.timings_s.verify})`);
  const wholeSeams = await probeSeams(bins.ffprobe.path, join(whole.root.outputTask(ID), 'final.mp4'));
  const speedup = whole.wall / two.wall;
  const joinShare = joinCpu / two.cpu;
  console.log('');
  console.log(`  seams of the 2-worker final (its report.json): ${report.checks.map((c) => `${c.name} ${c.ok ? 'ok' : `FAILED (${c.actual})`}`).join(', ')}`);
  console.log(`  frames: whole ${wholeSeams.video.frames}, chunked ${seams.video.frames}; audio samples: whole ${wholeSeams.audio?.samples}, chunked ${seams.audio?.samples}; timestamp gaps at seams: ${seams.video.gaps.length} video, ${seams.audio?.gaps.length ?? '-'} audio`);
  console.log(`  speedup, 2 workers against the whole render by 1: ${speedup.toFixed(2)}x (target >= 1.70; ${(two.wall / whole.wall).toFixed(2)} of its time, target <= 0.59); against 1 worker chunked: ${(one.wall / two.wall).toFixed(2)}x`);
  console.log(`  the join's CPU: ${joinCpu.toFixed(2)} s = ${(joinShare * 100).toFixed(2)}% of the chunked render's ${two.cpu.toFixed(1)} s (target <= 2%)`);
  // On a machine shared with other work, wall time says how busy the cores were; each node's
  // CPU time does not: the busiest node's CPU against the whole render's is the speedup two
  // idle single-core nodes would see.
  const makespan = Math.max(...two.perWorker);
  console.log(`  speedup in node CPU time (the busiest of the 2 workers against the whole render's worker): ${(whole.perWorker[0]! / makespan).toFixed(2)}x (${whole.perWorker[0]!.toFixed(1)} s / ${makespan.toFixed(1)} s; target >= 1.70)`);
  console.log(`  overhead of chunking on 1 worker: ${((one.wall / whole.wall - 1) * 100).toFixed(1)}% wall`);
} finally {
  if (KEEP) console.log(`  kept: ${work}`);
  else await rm(work, { recursive: true, force: true });
}
