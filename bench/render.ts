// Render benchmarks, measured side by side in one run (2-core machines are noisy: only the
// ratios mean something).
//   1. CPU time of clipmill's one-pass render (planRender) against a bare encode of the same
//      output frames and audio with the same encoder settings (target: within 10%);
//   2. against the spec's §6 template command on the same inputs and encoder settings;
//   3. batch throughput with throttled download/upload (a slow share): the pipelined worker
//      (render.prefetch 1) against a strictly sequential one (prefetch 0), with
//      render_utilization = time rendering / wall time.
// Run: npm run bench (or node scripts/setup.mjs --bench bench/render.ts)
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { initRoot } from '../src/cli/commands/init.js';
import { MainWorker } from '../src/main-worker/index.js';
import { downloadInputs, resolveInputs } from '../src/render-worker/download.js';
import { RenderWorker } from '../src/render-worker/index.js';
import { loadConfig, type Config, type DeepPartial } from '../src/shared/config.js';
import { Layout } from '../src/shared/layout.js';
import { createLogger } from '../src/shared/log.js';
import { encoderSpec } from '../src/shared/media/encoders.js';
import { resolveBinaries, type Binaries } from '../src/shared/media/ffmpeg.js';
import { makeClip, makeLogo, makeTone } from '../src/shared/media/generate.js';
import { parseMetadata } from '../src/shared/task.js';
import { compileTimeline } from '../src/shared/timeline/compile.js';

/** CPU seconds (user + system) used by this process's reaped children so far (Linux). */
async function childCpu(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: cutime and cstime are fields 16 and 17 of stat(5), in clock ticks.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** The best of `runs` (the least disturbed by whatever else the machine does). */
async function cpuOf(bin: string, argv: string[], runs = 2): Promise<{ cpu: number; wall: number }> {
  let best = { cpu: Number.POSITIVE_INFINITY, wall: Number.POSITIVE_INFINITY };
  for (let i = 0; i < runs; i++) {
    const c0 = await childCpu();
    const t0 = performance.now();
    await execa(bin, argv);
    const r = { cpu: (await childCpu()) - c0, wall: (performance.now() - t0) / 1000 };
    if (r.cpu < best.cpu) best = r;
  }
  return best;
}

async function makeRoot(work: string, name: string, bins: Binaries, overrides: DeepPartial<Config>, voices: number, voiceSeconds: number, size: [number, number]): Promise<{ layout: Layout; config: Config }> {
  const root = join(work, name);
  await initRoot(root);
  const layout = new Layout(root);
  const f = bins.ffmpeg.path;
  for (const d of ['raw/video/c', 'raw/music/c', 'assets']) await mkdir(join(root, d), { recursive: true });
  for (const [i, src] of ['testsrc2', 'smptehdbars', 'mandelbrot'].entries()) await makeClip(f, join(root, `raw/video/c/clip${i}.mp4`), { source: src, width: size[0], height: size[1], fps: 30, seconds: 4 });
  await makeTone(f, join(root, 'raw/music/c/bed.mp3'), { seconds: 30, freqs: [220, 330] });
  await makeLogo(f, join(root, 'assets/logo.png'));
  for (let i = 0; i < voices; i++) {
    await mkdir(join(root, `raw/story/c/s${i}/voice`), { recursive: true });
    await makeTone(f, join(root, `raw/story/c/s${i}/voice/chapter_0001.mp3`), { seconds: voiceSeconds, freqs: [300 + i * 10] });
  }
  const config = loadConfig({ env: {}, overrides: { ingest: { stableMs: 0 }, render: { resolution: `${size[0]}x${size[1]}`, logo: 'assets/logo.png' }, disk: { minFreeMb: 0 }, ...overrides } as DeepPartial<Config> });
  await new MainWorker({ config, layout, log: createLogger({ format: 'line', level: 'error' }), bins }).runOnce();
  return { layout, config };
}

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-render-'));
try {
  const bins = await resolveBinaries(loadConfig({ env: {} }));
  const f = bins.ffmpeg.path;
  console.log(`render benchmark (${bins.ffmpeg.version.split(' ').slice(0, 3).join(' ')}, libx264 with render.encoderArgs.libx264)`);

  // 1 and 2: one task, 1280x720@30, 10 s, three clips, looped music, logo.
  const { layout, config } = await makeRoot(work, 'one', bins, {}, 1, 10, [1280, 720]);
  const [id] = (await readdir(layout.tasks)).filter((n) => !n.startsWith('.'));
  const meta = parseMetadata(await readFile(join(layout.task(id!), 'metadata.json'), 'utf8'));
  const scratch = join(work, 'scratch');
  const { inputs } = await downloadInputs(await resolveInputs(layout, layout.task(id!), meta), scratch);
  const enc = encoderSpec('libx264', config);
  const [w, h] = meta.render.resolution.split('x');
  const row = (name: string, r: { cpu: number; wall: number }, note = '') => console.log(`  ${name.padEnd(26)} cpu ${r.cpu.toFixed(2).padStart(6)} s   wall ${r.wall.toFixed(2).padStart(6)} s  ${note}`);
  console.log(`1-2. one ${meta.voice_duration.toFixed(1)} s task at ${meta.render.resolution}@${meta.render.frame_rate}, ${meta.video_files.length} clips, looped music, logo (best of 2 runs each):`);
  // The default settings, and the same with x264's medium preset, where the encoder's share
  // of the work is larger and decoding the sources (the render's one unavoidable extra) smaller.
  for (const [label, args] of [['libx264 ' + enc.args.join(' '), enc.args], ['libx264 -preset medium -crf 20', ['-preset', 'medium', '-crf', '20']]] as const) {
    const e = { ...enc, args: [...args] };
    const compiled = compileTimeline(inputs.timeline, { paths: inputs.paths, workDir: scratch, output: join(scratch, 'ours.mp4') }, e, { audioBitrate: config.render.audioBitrate, progress: false });
    for (const file of compiled.files) await writeFile(file.path, file.content);
    const ours = await cpuOf(f, compiled.argv);
    // The same output frames and audio, decoded once (not timed), then encoded bare.
    await execa(f, ['-v', 'error', '-y', '-i', join(scratch, 'ours.mp4'), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', join(scratch, 'frames.yuv'), '-f', 's16le', '-ar', '48000', '-ac', '2', join(scratch, 'audio.raw')]);
    const bare = await cpuOf(f, ['-hide_banner', '-nostdin', '-y', '-loglevel', 'warning', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${w}x${h}`, '-r', String(meta.render.frame_rate), '-i', join(scratch, 'frames.yuv'), '-f', 's16le', '-ar', '48000', '-ac', '2', '-i', join(scratch, 'audio.raw'), '-c:v', 'libx264', ...e.args, '-r', String(meta.render.frame_rate), '-c:a', 'aac', '-b:a', config.render.audioBitrate, '-movflags', '+faststart', '-f', 'mp4', join(scratch, 'bare.mp4')]);
    // The spec's §6 template, on the same local inputs and encoder settings.
    const template = await cpuOf(f, [
      '-y', '-hide_banner', '-nostdin', '-loglevel', 'warning', '-f', 'concat', '-safe', '0', '-i', join(layout.task(id!), 'video_list.txt'), '-i', inputs.paths.get('music.mp3')!, '-i', inputs.paths.get('voice.mp3')!, '-i', inputs.paths.get('logo.png')!,
      '-filter_complex', `[3:v]scale=iw:-1[logo];[0:v]scale=${w}:${h}:flags=fast_bilinear:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,format=yuv420p[base];[base][logo]overlay=20:20[vout];[1:a]volume=0.25[bg];[2:a]volume=1.0[vc];[bg][vc]amix=inputs=2:duration=longest[aout]`,
      '-map', '[vout]', '-map', '[aout]', '-c:v', 'libx264', ...e.args, '-r', '30', '-t', String(meta.voice_duration), join(scratch, 'template.mp4'),
    ]);
    console.log(` ${label}:`);
    row('clipmill render', ours, `${(meta.voice_duration / ours.wall).toFixed(2)}x realtime`);
    row('bare encode, same frames', bare, `render/bare CPU ratio ${(ours.cpu / bare.cpu).toFixed(3)} (target <= 1.10)`);
    row('spec §6 template', template, `render/template CPU ratio ${(ours.cpu / template.cpu).toFixed(3)}`);
  }

  // 3: a batch through a throttled share. Every copy (download of an input, upload of the
  // output) waits 150 ms plus 1 s per 50 MB, like a busy network mount.
  const throttle = async (src: string, dst: string) => {
    const size = (await stat(src)).size;
    await sleep(150 + (size / (50 * 1024 * 1024)) * 1000);
    await copyFile(src, dst);
  };
  const batch = async (name: string, prefetch: number) => {
    const r = await makeRoot(work, name, bins, { render: { prefetch } } as DeepPartial<Config>, 6, 6, [640, 360]);
    const worker = new RenderWorker({ config: r.config, layout: r.layout, log: createLogger({ format: 'line', level: 'error' }), bins, encoder: enc, node: `bench-${name}`, copy: throttle });
    const t = await worker.runOnce();
    if (t.done !== 6) throw new Error(`${name}: ${t.done} of 6 rendered`);
    return t;
  };
  const seq = await batch('sequential', 0);
  const pipe = await batch('pipelined', 1);
  console.log('3. a batch of 6 tasks (6 s at 640x360), inputs and outputs through a throttled share:');
  for (const [name, t] of [['sequential (prefetch 0)', seq], ['pipelined (prefetch 1)', pipe]] as const) {
    console.log(`  ${name.padEnd(26)} wall ${t.wallSeconds.toFixed(2).padStart(6)} s  ${((6 / t.wallSeconds) * 3600).toFixed(0).padStart(6)} tasks/hour  render_utilization ${((100 * t.renderSeconds) / t.wallSeconds).toFixed(0)}%`);
  }
  console.log(`  throughput ratio pipelined/sequential: ${(seq.wallSeconds / pipe.wallSeconds).toFixed(2)}x`);
} finally {
  await rm(work, { recursive: true, force: true });
}
