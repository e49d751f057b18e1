// Progress of `clipmill render`, from ffmpeg's -progress output time. On a terminal: one bar
// redrawn in place (percentage, seconds done/total, speed as a multiple of realtime, ETA);
// elsewhere (a log file, CI): a plain line every `intervalMs` at most, so that logs stay short.

export interface ProgressState {
  /** Output seconds rendered. */
  done: number;
  /** Output seconds in all. */
  total: number;
  /** Wall seconds since the render started. */
  elapsed: number;
}

/** `1:05`, `1:02:03`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The numbers of a progress state: percentage, speed (x realtime) and ETA in seconds (null while unknown). */
export function progressNumbers(p: ProgressState): { percent: number; speed: number | null; eta: number | null } {
  const done = Math.min(Math.max(0, p.done), p.total);
  const percent = p.total > 0 ? (100 * done) / p.total : 0;
  const speed = done > 0 && p.elapsed > 0 ? done / p.elapsed : null;
  const eta = speed ? (p.total - done) / speed : null;
  return { percent, speed, eta };
}

/** `42%  0.8/2.0 s  1.30x  ETA 0:01`. */
export function progressText(p: ProgressState): string {
  const { percent, speed, eta } = progressNumbers(p);
  const digits = p.total < 100 ? 1 : 0;
  return `${percent.toFixed(0).padStart(3)}%  ${Math.min(p.done, p.total).toFixed(digits)}/${p.total.toFixed(digits)} s  ${speed === null ? '--' : `${speed.toFixed(2)}x`}  ETA ${eta === null ? '--' : clock(eta)}`;
}

/** A plain line: `Rendering: 42% (0.8/2.0 s, 1.30x realtime, ETA 0:01)`. */
export function progressLine(p: ProgressState): string {
  const { percent, speed, eta } = progressNumbers(p);
  const digits = p.total < 100 ? 1 : 0;
  return `Rendering: ${percent.toFixed(0)}% (${Math.min(p.done, p.total).toFixed(digits)}/${p.total.toFixed(digits)} s, ${speed === null ? 'speed unknown' : `${speed.toFixed(2)}x realtime`}, ETA ${eta === null ? 'unknown' : clock(eta)})`;
}

/** A bar of `width` cells then the text: `[=========>          ]  42%  ...`. */
export function progressBar(p: ProgressState, columns: number): string {
  const text = progressText(p);
  const width = Math.max(10, Math.min(40, columns - text.length - 4));
  const filled = Math.round((progressNumbers(p).percent / 100) * width);
  const bar = filled >= width ? '='.repeat(width) : `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
  return `[${bar}] ${text}`;
}

export interface ReporterOptions {
  tty: boolean;
  /** Terminal width (default 80). */
  columns?: number | undefined;
  /** The least time between two plain lines (default 10 s). */
  intervalMs?: number;
  /** The least time between two redraws of the bar (default 100 ms). */
  redrawMs?: number;
  /** Milliseconds, monotonic (tests pass a fake clock). */
  now?: () => number;
}

export interface Reporter {
  /** ffmpeg reached `seconds` of output. */
  update(seconds: number): void;
  /** The render ended: on a terminal the bar is drawn at 100% when `complete`, and its line finished. */
  end(complete: boolean): void;
}

/** A reporter writing to `out` (stderr) for a render of `total` output seconds. */
export function progressReporter(out: NodeJS.WritableStream, total: number, opts: ReporterOptions): Reporter {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const interval = opts.intervalMs ?? 10_000;
  const redraw = opts.redrawMs ?? 100;
  let last = opts.tty ? -Infinity : started;
  let drawn = false;
  let done = 0;
  const state = (): ProgressState => ({ done, total, elapsed: (now() - started) / 1000 });
  return {
    update(seconds) {
      done = Math.max(done, seconds);
      const t = now();
      if (t - last < (opts.tty ? redraw : interval)) return;
      last = t;
      if (opts.tty) {
        // \r back to the start of the line, \x1b[K clears what a longer line left.
        out.write(`\r${progressBar(state(), opts.columns ?? 80)}\x1b[K`);
        drawn = true;
      } else {
        out.write(`${progressLine(state())}\n`);
      }
    },
    end(complete) {
      if (opts.tty && complete) {
        done = total;
        out.write(`\r${progressBar(state(), opts.columns ?? 80)}\x1b[K`);
        drawn = true;
      }
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}
