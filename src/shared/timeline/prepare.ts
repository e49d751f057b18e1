// Everything between a timeline with local files and the ffmpeg argv, for the render worker
// and `clipmill render` alike: the picture sizes of the clips (so that runs of clips share a
// decoder only when they can), the lengths of the audio files that end a track (so that its
// fade-out ends with it), the fonts of the text layers (checked for every glyph before
// ffmpeg runs), the compiled argv, and its auxiliary files written into `workDir`.
import { mkdir, writeFile } from 'node:fs/promises';
import PQueue from 'p-queue';
import type { Logger } from '../log.js';
import type { EncoderSpec } from '../media/encoders.js';
import { probe, type ProbeInfo } from '../media/probe.js';
import { compileTimeline, type Compiled } from './compile.js';
import type { Timeline } from './schema.js';
import { planFonts } from './text/fonts.js';
import type { SourceInfo } from './video.js';

export interface PrepareOptions {
  paths: ReadonlyMap<string, string>;
  workDir: string;
  output: string;
  encoder: EncoderSpec;
  ffprobe: string;
  audioBitrate: string;
  fontsDirs: string[];
  progress: boolean;
  log?: Logger;
  signal?: AbortSignal;
}

/** Probes each of `files` that has a local path, four at a time; keeps what `pick` takes from it. A file that is not media throws PROBE_FAILED naming it, before ffmpeg starts. */
async function probeEach<T>(files: Iterable<string>, paths: ReadonlyMap<string, string>, ffprobe: string, signal: AbortSignal | undefined, pick: (info: ProbeInfo) => T | undefined): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const queue = new PQueue({ concurrency: 4 });
  await Promise.all(
    [...new Set(files)].map((f) =>
      queue.add(async () => {
        const local = paths.get(f);
        if (local === undefined) return;
        const value = pick(await probe(ffprobe, local, { signal }));
        if (value !== undefined) out.set(f, value);
      }),
    ),
  );
  return out;
}

/** Picture sizes of the clip files. */
export function clipSources(tl: Timeline, paths: ReadonlyMap<string, string>, ffprobe: string, signal?: AbortSignal): Promise<Map<string, SourceInfo>> {
  const files = tl.video.flatMap((s) => (s.type === 'clip' ? [s.file] : []));
  return probeEach(files, paths, ffprobe, signal, (info) => (info.video ? { width: info.video.width, height: info.video.height } : undefined));
}

/** Seconds of the audio files whose tracks last as long as the file (not looped, no out point): their fade-out ends where the file does. */
export function audioDurations(tl: Timeline, paths: ReadonlyMap<string, string>, ffprobe: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const files = tl.audio.flatMap((t) => (!t.loop && t.out === undefined ? [t.file] : []));
  return probeEach(files, paths, ffprobe, signal, (info) => {
    const seconds = info.audio?.duration ?? info.duration;
    return seconds > 0 ? seconds : undefined;
  });
}

/** Compiles `tl` and writes the files its argv reads. */
export async function prepareRender(tl: Timeline, opts: PrepareOptions): Promise<Compiled> {
  const sources = await clipSources(tl, opts.paths, opts.ffprobe, opts.signal);
  const durations = await audioDurations(tl, opts.paths, opts.ffprobe, opts.signal);
  const hasText = tl.layers.some((l) => l.type === 'text');
  const fonts = hasText ? await planFonts(tl, { fontsDirs: opts.fontsDirs, ...(opts.log ? { log: opts.log } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }) : undefined;
  const compiled = compileTimeline(tl, { paths: opts.paths, sources, durations, ...(fonts ? { fonts } : {}), workDir: opts.workDir, output: opts.output }, opts.encoder, { audioBitrate: opts.audioBitrate, progress: opts.progress });
  await mkdir(opts.workDir, { recursive: true });
  for (const f of compiled.files) await writeFile(f.path, f.content);
  return compiled;
}
