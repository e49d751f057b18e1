// Batch throughput through a slow share: 6 voice-over tasks (6 s at 640x360, planned by the
// main worker) rendered by a pipelined worker (render.prefetch 1: the next task downloads
// while one renders, the last one uploads meanwhile) against a strictly sequential one
// (prefetch 0). Every copy (an input's download, the output's upload) waits 150 ms plus 1 s
// per 50 MB, like a busy network mount. Printed: wall time, tasks per hour, and
// render_utilization = time rendering / wall time.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { initRoot } from '../../src/cli/commands/init.js';
import { MainWorker } from '../../src/main-worker/index.js';
import { RenderWorker } from '../../src/render-worker/index.js';
import { loadConfig, type Config, type DeepPartial } from '../../src/shared/config.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import type { EncoderSpec } from '../../src/shared/media/encoders.js';
import type { Binaries } from '../../src/shared/media/ffmpeg.js';
import { makeClip, makeLogo, makeTone } from '../../src/shared/media/generate.js';
import type { Summary } from './measure.js';

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

export async function batchSection(ctx: { work: string; bins: Binaries; encoder: EncoderSpec }, summary: Summary): Promise<void> {
  const throttle = async (src: string, dst: string) => {
    const size = (await stat(src)).size;
    await sleep(150 + (size / (50 * 1024 * 1024)) * 1000);
    await copyFile(src, dst);
  };
  const batch = async (name: string, prefetch: number) => {
    const r = await makeRoot(ctx.work, name, ctx.bins, { render: { prefetch } } as DeepPartial<Config>, 6, 6, [640, 360]);
    const worker = new RenderWorker({ config: r.config, layout: r.layout, log: createLogger({ format: 'line', level: 'error' }), bins: ctx.bins, encoder: ctx.encoder, node: `bench-${name}`, copy: throttle });
    const t = await worker.runOnce();
    if (t.done !== 6) throw new Error(`${name}: ${t.done} of 6 rendered`);
    return t;
  };
  const seq = await batch('sequential', 0);
  const pipe = await batch('pipelined', 1);
  console.log(`batch: 6 tasks (6 s at 640x360, libx264 ${ctx.encoder.args.join(' ')}), inputs and outputs through a throttled share:`);
  for (const [name, t] of [['sequential (prefetch 0)', seq], ['pipelined (prefetch 1)', pipe]] as const) {
    console.log(`    ${name.padEnd(26)} wall ${t.wallSeconds.toFixed(2).padStart(6)} s  ${((6 / t.wallSeconds) * 3600).toFixed(0).padStart(6)} tasks/hour  render_utilization ${((100 * t.renderSeconds) / t.wallSeconds).toFixed(0)}%`);
  }
  const speedup = seq.wallSeconds / pipe.wallSeconds;
  console.log(`    throughput ratio pipelined/sequential: ${speedup.toFixed(2)}x`);
  summary.add({ name: 'batch: throughput pipelined / sequential (higher is better)', value: speedup, target: null, note: `render_utilization ${((100 * pipe.renderSeconds) / pipe.wallSeconds).toFixed(0)}% pipelined, ${((100 * seq.renderSeconds) / seq.wallSeconds).toFixed(0)}% sequential` });
}
