// Fake ffmpeg and ffprobe executables for tests (STYLE 11: a two-line fake on the edge
// instead of a mock inside the code). A fake answers `-version` as the real binary does, so
// that binary resolution (FFMPEG_PATH / FFPROBE_PATH) accepts it, unless it is 'broken'.
// What it does with a render, i.e. an argv with -filter_complex, is its behaviour; any other
// call (the render worker's one-frame test encode) exits 0 at once.
import { join } from 'node:path';
import { binaries, writeScript } from './helpers.js';

export type FakeBehaviour =
  /** A render writes `stderr` and then sleeps for ten minutes, reporting no progress. */
  | 'hang'
  /** A render reports progress (out_time_us=...) every 0.1 s and never finishes. */
  | 'slow'
  /** A render writes `stderr` and exits 1. */
  | 'fail'
  /** Every call but -version is killed by SIGKILL (an ffprobe crashing on a file). */
  | 'killed'
  /** A render dies of `signal` (default SEGV: a crash; KILL: what the kernel's OOM killer sends); other calls succeed. */
  | { dies: 'SEGV' | 'KILL' | 'BUS' }
  /** Every call, -version included, exits 3: not a runnable binary. */
  | 'broken'
  /** Answers -version and does nothing else (binary resolution tests). */
  | 'version-only'
  /** A render writes `stderr` and exits with `exitCode`. */
  | { exitCode: number; stderr?: string }
  /** A render waits `delaySeconds`, then the real ffmpeg does it: renders that take a known minimum time. */
  | { slowReal: number };

export interface FakeOptions {
  /** The file's name in `dir` (default: ffmpeg). */
  name?: string;
  /** The first line of `-version` (default: "ffmpeg version fake", or "ffprobe version fake" for an ffprobe). */
  version?: string;
  /** What a failing, hanging or erring render writes to stderr. */
  stderr?: string;
}

/** A string as one single-quoted shell word. */
function sh(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

const DEFAULT_STDERR: Record<string, string> = {
  hang: 'fake ffmpeg: waiting forever',
  fail: 'fake ffmpeg: simulated render failure',
};

/** Writes the fake into `dir` and returns its path (for FFMPEG_PATH / FFPROBE_PATH). */
export async function fakeFfmpeg(dir: string, behaviour: FakeBehaviour, opts: FakeOptions = {}): Promise<string> {
  const name = opts.name ?? 'ffmpeg';
  const version = `echo ${sh(opts.version ?? (name.startsWith('ffprobe') ? 'ffprobe version fake' : 'ffmpeg version fake'))}`;
  const say = (fallback: string) => `echo ${sh(opts.stderr ?? fallback)} >&2`;
  const cases = (render: string, other = 'exit 0') => `case "$*" in\n  *-version*) ${version}; exit 0;;\n  *filter_complex*) ${render};;\nesac\n${other}`;
  let body: string;
  if (behaviour === 'hang') body = cases(`${say(DEFAULT_STDERR.hang!)}; exec sleep 600`);
  else if (behaviour === 'slow') body = cases('i=0; while true; do i=$((i+1)); echo "out_time_us=${i}00000"; sleep 0.1; done');
  else if (behaviour === 'fail') body = cases(`${say(DEFAULT_STDERR.fail!)}; exit 1`);
  else if (behaviour === 'killed') body = `case "$*" in\n  *-version*) ${version};;\n  *) kill -9 $$;;\nesac`;
  else if (behaviour === 'broken') body = 'exit 3';
  else if (behaviour === 'version-only') body = cases('exit 0');
  else if ('dies' in behaviour) body = cases(`${say(`fake ffmpeg: dying of SIG${behaviour.dies}`)}; kill -${behaviour.dies} $$`);
  else if ('exitCode' in behaviour) body = cases(`${say(behaviour.stderr ?? `fake ffmpeg: exit code ${behaviour.exitCode}`)}; exit ${behaviour.exitCode}`);
  else {
    // The real binary for everything; a render starts after the delay. `exec` keeps the pid,
    // so the caller's signals reach the real ffmpeg.
    const real = (await binaries()).ffmpeg.path;
    body = `case "$*" in\n  *filter_complex*) sleep ${behaviour.slowReal};;\nesac\nexec ${sh(real)} "$@"`;
  }
  return writeScript(join(dir, name), body);
}
