import { mkdtemp, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { nodeId, type DeepPartial, type Config } from '../../shared/config.js';
import { ClipmillError } from '../../shared/errors.js';
import { readJson } from '../../shared/json.js';
import { Layout } from '../../shared/layout.js';
import { detectEncoder } from '../../shared/media/encoders.js';
import { resolveBinaries } from '../../shared/media/ffmpeg.js';
import { makeClip, makeLogo, makeSpeech, makeTone } from '../../shared/media/generate.js';
import { ReportSchema } from '../../shared/protocol/files.js';
import { parseMetadata, TASK_FILES } from '../../shared/task.js';
import { MainWorker } from '../../main-worker/index.js';
import { RenderWorker } from '../../render-worker/index.js';
import { COMMON_OPTIONS, configFrom, loggerFor, type Command } from '../common.js';
import { initRoot } from './init.js';

const STORY = `The dragon rose above the sleeping valley. Far below, the river caught the first light
of morning, and the old stone bridge glowed like a ribbon of gold. Tonight, she thought,
the journey home would finally begin.`;

/** Settings the demo runs with: a short stability window so that it does not sit idle. */
export const DEMO_OVERRIDES: DeepPartial<Config> = {
  ingest: { stableMs: 1000 },
  render: { logo: 'assets/logo.png' },
};

export const demo: Command = {
  name: 'demo',
  summary: 'make a sample root, run both workers on it, and print the video it rendered',
  usage: 'clipmill demo [--root <dir>]',
  help: `Generates sample media in a project root (a new temporary folder unless --root is given):
footage in two categories from FFmpeg's test sources, a music bed, a spoken voice made
with espeak-ng and a logo. Then runs the main worker and a render worker (as --once)
until the video exists, and prints its path with a short summary.

Options:
  --root <dir>        where to make the sample root (default: a new temporary folder;
                      CLIPMILL_ROOT is ignored so that a real farm never gets samples)
  --config <file>     a JSON config merged over config/default.json
  -h, --help          show this help`,
  options: COMMON_OPTIONS,
  async run(args, io) {
    const config = configFrom(args, io.env, DEMO_OVERRIDES);
    // Only --root: a CLIPMILL_ROOT set for the real farm must not receive sample media.
    const rootArg = args.values.root as string | undefined;
    const root = rootArg ? resolve(rootArg) : await mkdtemp(join(tmpdir(), 'clipmill-demo-'));
    const layout = new Layout(root);
    await initRoot(root);
    const bins = await resolveBinaries(config, io.env);
    const log = loggerFor(config, 'demo');
    const w = (s: string) => io.out.write(`${s}\n`);

    // Everything is made under a dot-folder (ignored by the workers) and renamed into raw/.
    const staging = join(root, `.demo-staging-${randomUUID()}`);
    await mkdir(staging, { recursive: true });
    const t0 = performance.now();
    const raw: [string, string][] = [];
    try {
      const clip = async (category: string, source: string, width: number, height: number, seconds: number) => {
        const name = `${randomUUID()}.mp4`;
        await makeClip(bins.ffmpeg.path, join(staging, name), { source, width, height, fps: 30, seconds });
        raw.push([join(staging, name), join(layout.raw, 'video', category, name)]);
      };
      log.info(`Generating sample media in ${root}`);
      await clip('fantasy', 'testsrc2', 1280, 720, 4);
      await clip('fantasy', 'gradients=speed=0.03', 1280, 720, 4);
      await clip('fantasy', 'life=mold=10:ratio=0.1:death_color=#3050a0:life_color=#f0c040', 1280, 720, 4);
      await clip('science', 'smptehdbars', 640, 360, 3);
      await clip('science', 'cellauto=rule=110', 640, 360, 3);
      const music = `${randomUUID()}.mp3`;
      await makeTone(bins.ffmpeg.path, join(staging, music), { seconds: 24, freqs: [220, 277.18, 329.63] });
      raw.push([join(staging, music), join(layout.raw, 'music', 'fantasy', music)]);
      await makeSpeech(bins.ffmpeg.path, join(staging, 'chapter_0001.mp3'), STORY.replace(/\s+/g, ' '), join(staging, 'voice.wav'));
      raw.push([join(staging, 'chapter_0001.mp3'), join(layout.raw, 'story', 'fantasy', 'dragon_flight', 'voice', 'chapter_0001.mp3')]);
      await mkdir(join(root, 'assets'), { recursive: true });
      await makeLogo(bins.ffmpeg.path, join(root, 'assets', 'logo.png'));
      for (const [from, to] of raw) {
        await mkdir(resolve(to, '..'), { recursive: true });
        await rename(from, to);
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    const genSeconds = (performance.now() - t0) / 1000;

    const main = new MainWorker({ config, layout, log: loggerFor(config, 'main_worker'), bins });
    const ingest = await main.runOnce(io.signal);
    if (ingest.tasksCreated === 0) throw new ClipmillError('TASK_INVALID', `the main worker created no task (${ingest.moved} moved, ${ingest.converted} converted, ${ingest.rejected} rejected, ${ingest.waiting} waiting); see the log above`);

    const node = nodeId(config);
    const renderLog = loggerFor(config, 'render_worker').child({ node });
    const { chosen } = await detectEncoder(bins.ffmpeg.path, config, io.signal);
    if (!chosen) throw new ClipmillError('NO_ENCODER', 'no encoder passed a test encode; run clipmill doctor');
    const render = await new RenderWorker({ config, layout, log: renderLog, bins, encoder: chosen, node }).runOnce(io.signal);
    const outputs = (await readdir(layout.output)).filter((n) => !n.startsWith('.'));
    if (render.done === 0 || outputs.length === 0) throw new ClipmillError('RENDER_FAILED', `the render failed (${render.failed} failed); see trash/failed/ in ${root}`);

    const id = outputs.sort()[outputs.length - 1]!;
    const report = await readJson(ReportSchema, join(layout.outputTask(id), 'report.json'), 'TASK_INVALID');
    const meta = parseMetadata(await readFile(join(layout.outputTask(id), TASK_FILES.metadata), 'utf8'));
    w('');
    w('clipmill demo: done');
    w(`  root       ${root}`);
    w(`  samples    5 clips in 2 categories, 1 music bed, 1 spoken chapter, 1 logo (${genSeconds.toFixed(1)} s to generate)`);
    w(`  ingested   ${ingest.moved + ingest.converted} files filed into scanned/ (${ingest.converted} converted), ${ingest.rejected} rejected; ${ingest.tasksCreated} task published`);
    w(`  task       ${id}: ${report.voice_duration.toFixed(1)} s of voice over ${meta.video_files.length} clips from ${meta.video_class}, rendered at ${meta.render.resolution}@${meta.render.frame_rate}`);
    w(`  encoder    ${report.encoder}${report.encoder_fallback ? ' (after a hardware encoder failed)' : ''}`);
    w(`  render     ${report.timings_s.render.toFixed(1)} s, ${report.realtime_factor.toFixed(2)}x realtime`);
    w(`  output     ${join(layout.outputTask(id), 'final.mp4')}`);
    w('');
    w(`Run the daemons on this root:  bin/clipmill main-worker --root ${root}   and   bin/clipmill render-worker --root ${root}`);
    return 0;
  },
};
