// `clipmill render`: one timeline rendered locally, outside the farm, through the same compiler
// and verification as the render worker: the quickest way to try a template or debug a task.
// The output is written under a dot-prefixed temporary name beside it and renamed only once
// verified (STYLE 10), so a half-written or unverified file never carries the name asked for.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ClipmillError, errorMessage, isClipmillError } from '../../shared/errors.js';
import { detectEncoder, encoderSpec, testEncoder, type EncoderSpec } from '../../shared/media/encoders.js';
import { resolveBinaries } from '../../shared/media/ffmpeg.js';
import { machineFailureIn } from '../../shared/media/stderr.js';
import type { Config } from '../../shared/config.js';
import type { Compiled } from '../../shared/timeline/compile.js';
import { secs } from '../../shared/timeline/graph.js';
import { prepareRender } from '../../shared/timeline/prepare.js';
import { QUALITIES, type Timeline } from '../../shared/timeline/schema.js';
import { describeFailures, verifyAgainst, type Verification } from '../../shared/timeline/verify.js';
import { runFfmpeg } from '../../render-worker/ffmpeg-run.js';
import { loadRenderInput } from '../render/input.js';
import { progressReporter } from '../render/progress.js';
import { COMMON_OPTIONS, configFrom, loggerFor, usageError, type Command, type Io } from '../common.js';

/** How many lines of ffmpeg's stderr a failure shows. */
const STDERR_LINES = 20;

/** The encoder asked for (checked with a one-frame test encode), or the first of render.encoders that works. */
async function chooseEncoder(ffmpeg: string, name: string | undefined, config: Config, signal: AbortSignal): Promise<EncoderSpec> {
  if (name) {
    const t = await testEncoder(ffmpeg, name, config, signal);
    if (!t.ok) throw new ClipmillError('NO_ENCODER', `encoder ${name} failed its test encode: ${t.error}`);
    return encoderSpec(name, config);
  }
  const { chosen, tests } = await detectEncoder(ffmpeg, config, signal);
  if (!chosen) throw new ClipmillError('NO_ENCODER', `none of render.encoders passed a test encode (${tests.map((t) => `${t.name}: ${t.error}`).join('; ')}); run clipmill doctor`);
  return chosen;
}

/** An argv as one line a shell would read back (for display only: nothing runs through a shell). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}

function stderrTail(text: string): string {
  return text.trimEnd().split('\n').slice(-STDERR_LINES).join('\n');
}

/** Runs the compiled argv with a progress display; throws a RENDER_* error (with ffmpeg's stderr tail shown) when it fails. */
async function runRender(ffmpeg: string, compiled: Compiled, config: Config, io: Io): Promise<number> {
  const total = compiled.expect.duration;
  const errTty = (io.err as NodeJS.WriteStream).isTTY === true;
  const reporter = progressReporter(io.err, total, { tty: errTty, columns: (io.err as NodeJS.WriteStream).columns || 80 });
  const started = performance.now();
  const result = await runFfmpeg(ffmpeg, compiled.argv, { signal: io.signal, stallTimeoutMs: config.render.stallTimeoutMs, onProgress: (t) => reporter.update(t) });
  reporter.end(result.ok);
  const seconds = (performance.now() - started) / 1000;
  if (result.canceled || io.signal.aborted) throw new ClipmillError('RENDER_CANCELED', 'render canceled; the partial output was removed');
  const stderr = result.stderrTail;
  const machine = machineFailureIn(stderr);
  const fail = (code: ConstructorParameters<typeof ClipmillError>[0], message: string) => {
    if (stderr.trim()) io.err.write(`ffmpeg's stderr (last lines):\n${stderrTail(stderr)}\n`);
    return new ClipmillError(code, message);
  };
  if (result.stalled) throw fail('RENDER_STALLED', `ffmpeg made no progress for render.stallTimeoutMs (${config.render.stallTimeoutMs} ms) and was killed`);
  if (machine) throw fail(machine.code, `ffmpeg could not write its output (${machine.errno}): ${machine.line}`);
  if (!result.ok) throw fail('RENDER_FAILED', `ffmpeg failed (${result.signal ?? `exit code ${result.exitCode}`}): ${stderr.trim().split('\n').slice(-1)[0] ?? 'no output'}`);
  return seconds;
}

function summary(output: string, v: Verification, bytes: number, encoder: string, quality: string, seconds: number): string {
  const info = v.info;
  const video = info.video!;
  const streams = [video.codec, info.audio?.codec].filter(Boolean).join(' + ');
  const duration = video.duration ?? info.duration;
  const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
  const checks = v.checks.map((c) => `${c.name} ${c.actual}`).join(', ');
  return [
    `clipmill render: done`,
    `  output     ${output}`,
    `  video      ${duration.toFixed(3)} s, ${video.width}x${video.height} @ ${video.fps?.toFixed(2) ?? '?'} fps, ${streams}, ${size}`,
    `  render     ${seconds.toFixed(1)} s with ${encoder} (quality ${quality}), ${(duration / Math.max(seconds, 0.001)).toFixed(2)}x realtime`,
    `  verified   ok: ${checks}`,
    '',
  ].join('\n');
}

export const render: Command = {
  name: 'render',
  summary: 'render one timeline.json or task metadata.json locally into an MP4, with progress',
  usage: 'clipmill render <timeline.json|metadata.json> -o <out.mp4> [--encoder <name>] [--quality draft|normal|high] [--keep]',
  help: `Renders one video on this machine, outside the farm, with the same compiler and checks as
a render worker: the quickest way to try a timeline or to debug a task.

The input is either a bare timeline (docs/timeline.md) or a task's metadata.json (schema
version 1 or 2; a version 1 task renders the voice-over timeline of its fields).
  - In a timeline.json, file paths are relative to the JSON file's folder (absolute paths
    are allowed).
  - In a metadata.json, a name without a slash is a file of the task folder (the JSON's
    folder), and a path with a slash (scanned/...) is relative to the project root: --root,
    else the root the task folder lies in (tasks/<id>/, processing/<id>/, output/<id>/,
    trash/failed/<id>/ ...), else $CLIPMILL_ROOT.
The JSON is validated first (an error names the file, the field and the bad value) and
every file it names must exist, all before ffmpeg starts.

Progress goes to stderr: a bar redrawn in place on a terminal (percentage, seconds done,
speed as a multiple of realtime, ETA), otherwise a line every 10 s at most. The output is
written beside <out.mp4> under a temporary name (.<name>.<random>.part) and renamed to
<out.mp4> only once it has been verified: a video stream of the rendered size and frame
rate, lasting the timeline's duration within one frame, and an audio stream exactly when
the timeline has audio. An existing <out.mp4> is replaced then. On failure ffmpeg's last
stderr lines are shown and nothing is left at <out.mp4>; Ctrl-C stops ffmpeg and removes
the partial output. The summary (path, duration, size, frame rate, verification) goes to
stdout.

Options:
  -o, --output <file> the MP4 to write (required; its folder is created if missing)
  --encoder <name>    the H.264 encoder, e.g. libx264 or h264_nvenc, checked with a
                      one-frame test encode (default: the first of render.encoders that
                      passes one, as a render worker chooses; libx264 is last)
  --quality <q>       draft, normal or high: overrides the timeline's output.quality
                      (draft: 480 pixels on the short side and the encoder's fastest
                      preset; high: its slow preset)
  --keep              keep the work folder (the concat lists and subtitle files ffmpeg
                      reads) and print its path and the ffmpeg command line
  --root <dir>        the project root a metadata.json's scanned/ paths are relative to
                      (default: the root its task folder lies in, else $CLIPMILL_ROOT);
                      relative render.fontsDirs are taken from it too
  --config <file>     a JSON config merged over config/default.json (default: $CLIPMILL_CONFIG)
  -h, --help          show this help

Exit codes: 0 rendered and verified; 1 ffmpeg or the verification failed, or the render
was stopped; 2 wrong usage or an invalid input (bad JSON, a bad field, a missing file).

Example:
  clipmill render my-timeline.json -o /tmp/try.mp4 --quality draft
  clipmill render /srv/clipmill/trash/failed/<task_id>/metadata.json -o /tmp/task.mp4 --keep`,
  options: {
    ...COMMON_OPTIONS,
    output: { type: 'string', short: 'o' },
    encoder: { type: 'string' },
    quality: { type: 'string' },
    keep: { type: 'boolean' },
  },
  allowPositionals: 1,
  // A bad timeline, task or media file is the input's fault, like a bad option: exit 2.
  inputErrors: ['TASK_INVALID', 'PROBE_FAILED'],
  async run(args, io) {
    const arg = args.positionals[0];
    if (!arg) throw usageError('missing <timeline.json|metadata.json>: clipmill render <file> -o <out.mp4>');
    const outArg = args.values.output as string | undefined;
    if (!outArg) throw usageError('missing -o/--output <out.mp4>: clipmill render <file> -o <out.mp4>');
    const quality = args.values.quality as string | undefined;
    if (quality !== undefined && !(QUALITIES as readonly string[]).includes(quality)) throw usageError(`--quality must be draft, normal or high, got ${JSON.stringify(quality)}`);
    const keep = args.values.keep === true;
    const config = configFrom(args, io.env);
    const log = loggerFor(config, 'render', io.err);

    const input = await loadRenderInput(arg, { root: args.values.root as string | undefined, envRoot: io.env.CLIPMILL_ROOT });
    const output = resolve(outArg);
    if (output === input.file || [...input.paths.values()].some((p) => resolve(p) === output)) throw usageError(`--output ${outArg} is one of the render's inputs`);
    if ((await stat(output).catch(() => null))?.isDirectory()) throw usageError(`--output ${outArg} is a folder; give the path of the MP4 to write`);
    const tl: Timeline = quality ? { ...input.timeline, output: { ...input.timeline.output, quality: quality as Timeline['output']['quality'] } } : input.timeline;
    const base = input.root ?? (args.values.root as string | undefined) ?? io.env.CLIPMILL_ROOT ?? process.cwd();
    const fontsDirs = config.render.fontsDirs.map((d) => (isAbsolute(d) ? d : resolve(base, d)));

    const bins = await resolveBinaries(config, io.env);
    const encoder = await chooseEncoder(bins.ffmpeg.path, args.values.encoder as string | undefined, config, io.signal);
    await mkdir(dirname(output), { recursive: true });
    const workDir = await mkdtemp(join(tmpdir(), 'clipmill-render-'));
    const part = join(dirname(output), `.${basename(output)}.${randomUUID().slice(0, 8)}.part`);
    try {
      const compiled = await prepareRender(tl, { paths: input.paths, workDir, output: part, encoder, ffprobe: bins.ffprobe.path, audioBitrate: config.render.audioBitrate, fontsDirs, progress: true, log, signal: io.signal }).catch((err: unknown) => {
        // ffprobe's words name neither the file nor the field.
        if (!isClipmillError(err, 'PROBE_FAILED') || typeof err.details.file !== 'string') throw err;
        const path = err.details.file;
        const name = [...input.paths].find(([, p]) => p === path)?.[0];
        const where = name === undefined ? '' : `${input.fields.get(name) ?? 'file'} ${JSON.stringify(name)}: `;
        throw new ClipmillError('PROBE_FAILED', `${arg}: ${where}ffprobe cannot read ${path}: ${errorMessage(err)}`, { cause: err, details: err.details });
      });
      const e = compiled.expect;
      io.err.write(`Rendering ${arg}: ${secs(e.duration)} s at ${e.width}x${e.height}@${e.fps} (quality ${tl.output.quality}) with ${encoder.name}${e.audio ? '' : ', no audio'}\n`);
      if (keep) io.err.write(`Work folder (kept): ${workDir}\nffmpeg command line:\n${shellLine([bins.ffmpeg.path, ...compiled.argv])}\n`);
      const seconds = await runRender(bins.ffmpeg.path, compiled, config, io);
      let v: Verification;
      try {
        v = await verifyAgainst(bins.ffprobe.path, part, e, io.signal);
      } catch (err) {
        if (io.signal.aborted) throw new ClipmillError('RENDER_CANCELED', 'render canceled; the partial output was removed');
        throw new ClipmillError('VERIFY_FAILED', `the output cannot be probed: ${errorMessage(err)}`, { cause: err });
      }
      if (!v.ok) {
        let kept = '';
        if (keep) {
          const to = join(workDir, 'unverified.mp4');
          await rename(part, to).catch(() => copyFile(part, to));
          kept = `; the output is kept as ${to}`;
        }
        throw new ClipmillError('VERIFY_FAILED', `the output failed verification: ${describeFailures(v)}${kept}`);
      }
      const bytes = (await stat(part)).size;
      await rename(part, output);
      io.out.write(summary(output, v, bytes, encoder.name, tl.output.quality, seconds));
      return 0;
    } finally {
      await rm(part, { force: true });
      if (!keep) await rm(workDir, { recursive: true, force: true });
    }
  },
};
