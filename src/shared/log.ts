// Logging: pino everywhere, with a child logger per component. `log.format: "line"` prints
// the spec's line format, one line per event:
//   2025-11-10T18:03:44Z INFO main_worker "Moved file raw/… → scanned/…" file="…"
// `"json"` prints pino's JSON lines for log shippers. Logs go to stderr: stdout is kept for
// command output (the demo's summary, `doctor`'s report).
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogFormat, LogLevel } from './config.js';

export type { Logger };

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Fields pino or our own format already print; everything else becomes key=value.
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'component', 'err']);

function quote(v: unknown): string {
  if (typeof v === 'string') return /^[\w./:@+-]+$/u.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

/** Formats one pino JSON record in the spec's line format. Exported for tests. */
export function formatLine(rec: Record<string, unknown>): string {
  const time = new Date(typeof rec.time === 'number' ? rec.time : Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const level = LEVEL_NAMES[rec.level as number] ?? String(rec.level);
  const component = typeof rec.component === 'string' ? rec.component : 'clipmill';
  let line = `${time} ${level} ${component} ${JSON.stringify(String(rec.msg ?? ''))}`;
  for (const [k, v] of Object.entries(rec)) if (!SKIP.has(k) && v !== undefined) line += ` ${k}=${quote(v)}`;
  const err = rec.err as { type?: string; message?: string; code?: string } | undefined;
  if (err) {
    if (err.code) line += ` code=${quote(err.code)}`;
    line += ` err=${JSON.stringify(err.message ?? String(err))}`;
  }
  return `${line}\n`;
}

function lineDestination(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(chunk: string) {
      for (const text of chunk.split('\n')) {
        if (!text) continue;
        try {
          out.write(formatLine(JSON.parse(text) as Record<string, unknown>));
        } catch {
          out.write(`${text}\n`);
        }
      }
    },
  };
}

export interface LogOptions {
  format: LogFormat;
  level: LogLevel;
  /** Where lines go; stderr by default. */
  out?: NodeJS.WritableStream;
}

/** The root logger of a process. Components take `log.child({ component: 'render_worker' })`. */
export function createLogger(opts: LogOptions): Logger {
  const out = opts.out ?? process.stderr;
  const base = { level: opts.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.epochTime };
  if (opts.format === 'json') {
    return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, out === process.stderr ? pino.destination({ fd: 2, sync: true }) : (out as DestinationStream));
  }
  return pino(base, lineDestination(out));
}
