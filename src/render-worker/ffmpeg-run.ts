// Running one ffmpeg render: progress from `-progress pipe:1`, outcome classified by execa's
// flags (canceled = hand the task back; nonzero exit = failure with the stderr tail).
import { execa } from 'execa';

export interface RunResult {
  ok: boolean;
  canceled: boolean;
  /** Killed because it made no progress for stallTimeoutMs. */
  stalled: boolean;
  exitCode: number | undefined;
  signal: string | undefined;
  /** The last 64 KiB of stderr. */
  stderrTail: string;
}

const TAIL = 64 * 1024;

export async function runFfmpeg(ffmpeg: string, argv: string[], opts: { signal?: AbortSignal | undefined; onProgress?: (seconds: number) => void; cwd?: string; stallTimeoutMs?: number }): Promise<RunResult> {
  const sub = execa(ffmpeg, argv, {
    reject: false,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    // A canceled ffmpeg gets SIGTERM; one that ignores it is killed 5 s later.
    forceKillAfterDelay: 5_000,
    // stderr is not buffered by execa (whose maxBuffer would kill a chatty ffmpeg): a rolling
    // tail of it is kept below.
    buffer: false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let pending = '';
  let tail = '';
  // Progress is any advance of out_time; an ffmpeg stuck on a dead mount or a hung GPU
  // driver prints none and is killed.
  let lastAdvance = performance.now();
  let lastTime = -1;
  let stalled = false;
  const watchdog = opts.stallTimeoutMs
    ? setInterval(() => {
        if (performance.now() - lastAdvance > opts.stallTimeoutMs!) {
          stalled = true;
          sub.kill('SIGKILL');
        }
      }, Math.min(1000, opts.stallTimeoutMs / 4))
    : null;
  // A character split between two reads (a file name "café.mp4") is decoded whole.
  sub.stderr?.setEncoding('utf8');
  sub.stdout?.setEncoding('utf8');
  sub.stderr?.on('data', (chunk: string) => {
    tail += chunk;
    if (tail.length > 2 * TAIL) tail = tail.slice(-TAIL);
  });
  sub.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // out_time_us is microseconds (out_time_ms is, despite its name, too).
      const m = /^out_time_us=(\d+)/.exec(line);
      if (m) {
        const t = Number(m[1]) / 1e6;
        if (t > lastTime) {
          lastTime = t;
          lastAdvance = performance.now();
        }
        opts.onProgress?.(t);
      }
    }
  });
  const r = await sub.finally(() => {
    if (watchdog) clearInterval(watchdog);
  });
  const stderr = tail;
  return {
    ok: !r.failed,
    canceled: r.isCanceled,
    stalled,
    exitCode: r.exitCode,
    signal: r.signal,
    stderrTail: stderr.length > TAIL ? stderr.slice(-TAIL) : stderr,
  };
}
