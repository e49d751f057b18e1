// Everything between a timeline with local files and the ffmpeg argv, for the render worker
// and `clipmill render` alike: the picture sizes of the clips (so that runs of clips share a
// decoder only when they can), the lengths of the audio files that end a track (so that its
// fade-out ends with it), the fonts of the text layers (checked for every glyph before
// ffmpeg runs), the compiled argv, and its auxiliary files written into `workDir`.
import { mkdir, writeFile } from 'node:fs/promises';
import PQueue from 'p-queue';
import type { Logger } from '../log.js';
import type { EncoderSpec } from '../media/encoders.js';
import { probeFile, type ProbeInfo } from '../media/probe.js';
import { compileTimeline, type CompileInputs, type CompileOptions, type Compiled } from './compile.js';
import type { Timeline } from './schema.js';
import { planFonts } from './text/fonts.js';
import { expandCaptions } from './captions.js';
import { localPath } from './graph.js';
import { readWords, type Word } from '../words.js';
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

/** Probes each of `files` that has a local path, four at a time (each file once per process: probeFile); keeps what `pick` takes from it. A file that is not media throws PROBE_FAILED naming it, before ffmpeg starts. */
async function probeEach<T>(files: Iterable<string>, paths: ReadonlyMap<string, string>, ffprobe: string, signal: AbortSignal | undefined, pick: (info: ProbeInfo) => T | undefined): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const queue = new PQueue({ concurrency: 4 });
  await Promise.all(
    [...new Set(files)].map((f) =>
      queue.add(async () => {
        const local = paths.get(f);
        if (local === undefined) return;
        const value = pick(await probeFile(ffprobe, local, { signal }));
        if (value !== undefined) out.set(f, value);
      }),
    ),
  );
  return out;
}

/**
 * The size a scanned clip was conformed to, from its resolution class folder
 * (scanned/video/<category>/mp4_w<W>_h<H>/...: ingest conforms every clip of the folder to
 * that size), or null for another file.
 */
export function conformedSize(file: string): SourceInfo | null {
  const m = /(?:^|\/)mp4_w(\d+)_h(\d+)\//.exec(file);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

/**
 * Picture sizes of the clip files: a scanned clip's from its class folder (validated at
 * ingest), the others probed (a clip that is not media is named before ffmpeg starts). An
 * ffprobe costs about 0.07 s of CPU: on a voice-over task, most of what the worker adds to the
 * encode (bench/render.ts).
 */
export async function clipSources(tl: Timeline, paths: ReadonlyMap<string, string>, ffprobe: string, signal?: AbortSignal): Promise<Map<string, SourceInfo>> {
  const known = new Map<string, SourceInfo>();
  const unknown: string[] = [];
  for (const s of tl.video) {
    if (s.type !== 'clip') continue;
    const size = conformedSize(s.file);
    if (size) known.set(s.file, size);
    else unknown.push(s.file);
  }
  const probed = await probeEach(unknown, paths, ffprobe, signal, (info) => (info.video ? { width: info.video.width, height: info.video.height } : undefined));
  return new Map([...known, ...probed]);
}

/** Seconds of the audio files whose tracks last as long as the file (not looped, no out point, no duration): their fade-out ends where the file does. */
export function audioDurations(tl: Timeline, paths: ReadonlyMap<string, string>, ffprobe: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const files = tl.audio.flatMap((t) => (!t.loop && t.out === undefined && t.duration === undefined ? [t.file] : []));
  return probeEach(files, paths, ffprobe, signal, (info) => {
    const seconds = info.audio?.duration ?? info.duration;
    return seconds > 0 ? seconds : undefined;
  });
}

/** The words of every captions layer's words file (WORDS_INVALID naming the file and field when one does not read). */
export async function captionWords(tl: Timeline, paths: ReadonlyMap<string, string>): Promise<Map<string, Word[]>> {
  const out = new Map<string, Word[]>();
  for (const l of tl.layers) {
    if (l.type !== 'captions' || out.has(l.words)) continue;
    out.set(l.words, (await readWords(localPath(paths, l.words), 'WORDS_INVALID', l.words)).words);
  }
  return out;
}

/** What the compiler needs besides the timeline: the probes and the fonts, found once per render (whatever the encoder). */
export async function prepareInputs(tl: Timeline, opts: Omit<PrepareOptions, 'encoder' | 'audioBitrate' | 'progress'>): Promise<CompileInputs> {
  const sources = await clipSources(tl, opts.paths, opts.ffprobe, opts.signal);
  const durations = await audioDurations(tl, opts.paths, opts.ffprobe, opts.signal);
  const captions = await captionWords(tl, opts.paths);
  // Captions are drawn as text layers: their fonts are planned with the other texts'.
  const drawn = expandCaptions(tl, captions);
  const hasText = drawn.layers.some((l) => l.type === 'text');
  const fonts = hasText ? await planFonts(drawn, { fontsDirs: opts.fontsDirs, ...(opts.log ? { log: opts.log } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }) : undefined;
  return { paths: opts.paths, sources, durations, ...(fonts ? { fonts } : {}), ...(captions.size ? { captions } : {}), workDir: opts.workDir, output: opts.output };
}

/** Compiles `tl` for `encoder` and writes the files its argv reads. */
export async function compileAndWrite(tl: Timeline, inputs: CompileInputs, encoder: EncoderSpec, opts: CompileOptions): Promise<Compiled> {
  const compiled = compileTimeline(tl, inputs, encoder, opts);
  await mkdir(inputs.workDir, { recursive: true });
  for (const f of compiled.files) await writeFile(f.path, f.content);
  return compiled;
}

/** Prepares, compiles `tl` and writes the files its argv reads. */
export async function prepareRender(tl: Timeline, opts: PrepareOptions): Promise<Compiled> {
  return compileAndWrite(tl, await prepareInputs(tl, opts), opts.encoder, { audioBitrate: opts.audioBitrate, progress: opts.progress });
}
