// The media and tasks the render benchmarks render, made from nothing with FFmpeg's lavfi
// sources (never timed): the voice-over job of the issue (six 1080p30 clips with motion, a
// logo, a voice over looped music) as task metadata and its timeline, the local paths the
// compiler reads, a project root holding it as a published task for a render worker, and the
// bare encode that the CPU figures are measured against.
import { link, mkdir, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { initRoot } from '../../src/cli/commands/init.js';
import { Layout } from '../../src/shared/layout.js';
import { makeClip, makeLogo, makeTone } from '../../src/shared/media/generate.js';
import { publishTask } from '../../src/shared/protocol/publish.js';
import { writeMetadata } from '../../src/shared/protocol/task-files.js';
import { METADATA_SCHEMA_VERSION, TASK_FILES, buildFfconcat, type TaskMetadata } from '../../src/shared/task.js';
import { voiceOverTimeline } from '../../src/shared/timeline/from-metadata.js';
import type { ClipSegment, Timeline } from '../../src/shared/timeline/schema.js';
import { runList } from '../../src/shared/timeline/video.js';

/** Sources with motion everywhere (a static test card would make the encode, and every ratio, meaningless). */
const SOURCES = ['testsrc2', 'mandelbrot', 'cellauto', 'life=mold=10:ratio=0.1', 'gradients=speed=0.05', 'sierpinski'];
export const FPS = 30;

/** Media files laid out like a project root: clips under scanned/, the task's own files at the top. */
export interface Footage {
  dir: string;
  width: number;
  height: number;
  /** Root-relative paths of the clips, as a task's timeline names them. */
  clips: string[];
  clipSeconds: number;
  /** Seconds of output the voice lasts (the job's length). */
  seconds: number;
}

/**
 * `count` clips of `width` x `height` at 30 fps, each `clipSeconds` long, two at a time; a
 * voice of `seconds`, 30 s of music, a logo.
 */
export async function makeFootage(ffmpeg: string, dir: string, opts: { count: number; width: number; height: number; clipSeconds: number; seconds: number }): Promise<Footage> {
  const clipDir = `scanned/video/bench/mp4_w${opts.width}_h${opts.height}`;
  await mkdir(join(dir, clipDir), { recursive: true });
  const clips = Array.from({ length: opts.count }, (_, i) => `${clipDir}/clip${i}.mp4`);
  for (let i = 0; i < clips.length; i += 2) {
    await Promise.all(clips.slice(i, i + 2).map((c, j) => makeClip(ffmpeg, join(dir, c), { source: SOURCES[(i + j) % SOURCES.length]!, width: opts.width, height: opts.height, fps: FPS, seconds: opts.clipSeconds })));
  }
  await makeTone(ffmpeg, join(dir, TASK_FILES.voice), { seconds: opts.seconds, freqs: [300] });
  await makeTone(ffmpeg, join(dir, TASK_FILES.music), { seconds: 30, freqs: [220, 330] });
  await makeLogo(ffmpeg, join(dir, TASK_FILES.logo));
  return { dir, width: opts.width, height: opts.height, clips, clipSeconds: opts.clipSeconds, seconds: opts.seconds };
}

export interface Cut {
  clip: string;
  in: number;
  out: number;
}

/**
 * The job's cuts: each clip once for an equal share of the output, from `inpoint` seconds in
 * (0: from its start, as the voice-over planner cuts them).
 */
export function evenCuts(f: Footage, inpoint = 0): Cut[] {
  const share = Math.round((f.seconds / f.clips.length) * 1000) / 1000;
  // The last one takes what the rounding left, so that they add up to the job's length.
  const last = Math.round((f.seconds - share * (f.clips.length - 1)) * 1000) / 1000;
  return f.clips.map((clip, i) => ({ clip, in: inpoint, out: Math.round((inpoint + (i === f.clips.length - 1 ? last : share)) * 1000) / 1000 }));
}

/** A voice-over task (metadata.json v2) over `cuts` at `width` x `height`, crop fit, logo, music at 0.25 under the voice, 0.5 s fade-out. */
export function jobMetadata(f: Footage, cuts: readonly Cut[], width: number, height: number): TaskMetadata {
  const fields: Omit<TaskMetadata, 'timeline'> = {
    schema_version: METADATA_SCHEMA_VERSION,
    task_id: randomUUID(),
    created_at: new Date().toISOString(),
    category: 'bench',
    story_name: 'bench',
    variation: 0,
    seed: 1,
    attempts: 0,
    voice_file: TASK_FILES.voice,
    voice_source: 'scanned/story/bench/bench/voice/chapter_0001.mp3',
    voice_duration: Math.round(cuts.reduce((s, c) => s + c.out - c.in, 0) * 1000) / 1000,
    music_file: TASK_FILES.music,
    music_source: 'scanned/music/bench/mp3/30.0_music.mp3',
    music_duration: 30,
    video_list: TASK_FILES.videoList,
    frame_file: null,
    frame_source: null,
    video_class: f.clips[0]!.split('/')[3]!,
    video_files: cuts.map((c) => ({ path: c.clip, duration: f.clipSeconds, in: c.in, out: c.out })),
    audio: { voice_volume: 1, music_volume: 0.25, fade_out_seconds: 0.5 },
    render: { resolution: `${width}x${height}`, frame_rate: FPS, fit: 'crop', logo: TASK_FILES.logo, logo_width: 0.12, output_format: 'mp4' },
  };
  return { ...fields, timeline: voiceOverTimeline(fields) };
}

/** Timeline file -> the local path the compiler reads (what the render worker's download gives it). */
export function localPaths(f: Footage, tl: Timeline): Map<string, string> {
  const paths = new Map<string, string>();
  for (const s of tl.video) if (s.type !== 'color') paths.set(s.file, join(f.dir, s.file));
  for (const l of tl.layers) if (l.type === 'image' || l.type === 'video') paths.set(l.file, join(f.dir, l.file));
  for (const a of tl.audio) paths.set(a.file, join(f.dir, a.file));
  return paths;
}

/** A fresh project root holding `meta` as a published task, its files hard-linked from the footage. */
export async function workerRoot(root: string, f: Footage, meta: TaskMetadata): Promise<Layout> {
  await initRoot(root);
  const layout = new Layout(root);
  for (const c of new Set(meta.video_files.map((v) => v.path))) {
    await mkdir(dirname(join(root, c)), { recursive: true });
    await link(join(f.dir, c), join(root, c));
  }
  await publishTask(layout, meta.task_id, async (dir) => {
    for (const name of [TASK_FILES.voice, TASK_FILES.music, TASK_FILES.logo]) await link(join(f.dir, name), join(dir, name));
    await writeFile(join(dir, TASK_FILES.videoList), buildFfconcat(meta.video_files.map((v) => `../../${v.path}`)));
    await writeMetadata(dir, meta);
  });
  return layout;
}

/**
 * The baseline: ONE ffmpeg reading the same clips with the concat demuxer (the same
 * inpoints and outpoints), only scaling and cropping them to the output and encoding them
 * with the same settings; no overlays, no audio. `list` is where its ffconcat list goes.
 */
export async function bareEncode(tl: Timeline, paths: ReadonlyMap<string, string>, encoderArgs: readonly string[], list: string, output: string): Promise<string[]> {
  const clips = tl.video.filter((s): s is ClipSegment => s.type === 'clip');
  await writeFile(list, runList(clips, paths));
  const { width: w, height: h, fps, duration } = tl.output;
  return [
    '-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'warning',
    '-f', 'concat', '-safe', '0', '-i', list,
    '-vf', `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`,
    '-an', '-c:v', 'libx264', ...encoderArgs, '-r', String(fps), '-t', String(duration), '-f', 'mp4', output,
  ];
}

/** Video frames in a file (packets counted, nothing decoded): the outputs compared must hold the same frames. */
export async function frameCount(ffprobe: string, file: string): Promise<number> {
  const r = await execa(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file]);
  return Number(r.stdout.trim());
}
