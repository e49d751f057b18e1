// How the render benchmarks measure (Linux): CPU seconds from /proc and process.cpuUsage(),
// peak RSS from /proc/<pid>/status, variants run alternately in rotating order, and a summary
// of ratios against their targets. Machines are noisy (a shared 2-core box more so): only
// ratios of figures measured side by side in one run mean something, and the best of a few
// runs (the least disturbed) is what is compared.
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

export interface Sample {
  /** CPU seconds, user + system. */
  cpu: number;
  /** Wall seconds. */
  wall: number;
}

/** CPU seconds (user + system) of this process's reaped children so far: cutime + cstime, fields 16 and 17 of stat(5). */
export async function childCpu(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  // After the command name, which may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** CPU seconds (user + system) of this Node process itself, every thread of it (libuv's pool, GC). */
export function ownCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** One ffmpeg run: the CPU time of the child (from its reaped rusage) and the wall time. */
export async function ffmpegCpu(ffmpeg: string, argv: readonly string[]): Promise<Sample> {
  const c0 = await childCpu();
  const t0 = performance.now();
  await execa(ffmpeg, argv);
  return { cpu: (await childCpu()) - c0, wall: (performance.now() - t0) / 1000 };
}

/**
 * One ffmpeg run and its peak resident set: VmHWM of /proc/<pid>/status, the kernel's own
 * high-water mark, read every 10 ms while it runs (the last read before it exits is its peak
 * up to then; an ffmpeg's memory peaks while frames are in flight, not as it closes).
 */
export async function ffmpegPeakRss(ffmpeg: string, argv: readonly string[]): Promise<Sample & { peakMb: number }> {
  const c0 = await childCpu();
  const t0 = performance.now();
  const sub = execa(ffmpeg, argv);
  let peakKb = 0;
  const read = async () => {
    const status = await readFile(`/proc/${sub.pid}/status`, 'utf8').catch(() => '');
    const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (m) peakKb = Math.max(peakKb, Number(m[1]));
  };
  let reading = Promise.resolve();
  const timer = setInterval(() => {
    reading = reading.then(read);
  }, 10);
  try {
    await sub;
  } finally {
    clearInterval(timer);
    await reading;
  }
  if (peakKb === 0) throw new Error(`no VmHWM read for ffmpeg ${argv.join(' ')} (it ended within 10 ms?)`);
  return { cpu: (await childCpu()) - c0, wall: (performance.now() - t0) / 1000, peakMb: peakKb / 1024 };
}

/**
 * Runs every variant `rounds` times, alternately: round r starts at variant r (mod n), so that
 * none always runs first (a cold page cache) or right after the same neighbour.
 */
export async function alternate<V extends Record<string, () => Promise<Sample>>>(rounds: number, variants: V): Promise<{ [K in keyof V]: Awaited<ReturnType<V[K]>>[] }> {
  const names = Object.keys(variants) as (keyof V & string)[];
  const out = Object.fromEntries(names.map((n) => [n, [] as Sample[]])) as { [K in keyof V]: Awaited<ReturnType<V[K]>>[] };
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(r + i) % names.length]!;
      out[name].push((await variants[name]!()) as Awaited<ReturnType<V[typeof name]>>);
    }
  }
  return out;
}

/** The sample with the least CPU: the run least disturbed by whatever else the machine did. */
export function best<S extends Sample>(samples: readonly S[]): S {
  return samples.reduce((a, b) => (b.cpu < a.cpu ? b : a));
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const fmt = (n: number, digits = 2, width = 6) => n.toFixed(digits).padStart(width);

/** `name   cpu 12.34 s (12.80 13.02 12.34)   wall 7.10 s  note` */
export function row(name: string, runs: readonly Sample[], note = ''): string {
  const b = best(runs);
  const all = runs.map((r) => r.cpu.toFixed(2)).join(' ');
  return `    ${name.padEnd(34)} cpu ${fmt(b.cpu)} s (${all})   wall ${fmt(b.wall)} s  ${note}`.trimEnd();
}

export interface Figure {
  name: string;
  /** The measured ratio; null when the section could not run (said in `note`). */
  value: number | null;
  /** The ratio must be at most this. */
  target: number | null;
  note?: string;
}

/** The ratios of every section, printed together at the end. */
export class Summary {
  readonly figures: Figure[] = [];

  add(f: Figure): void {
    this.figures.push(f);
  }

  print(): void {
    console.log('summary (ratios of the best runs; targets are upper bounds):');
    for (const f of this.figures) {
      const value = f.value === null ? '   n/a' : fmt(f.value, 3);
      const target = f.target === null ? '' : `target <= ${f.target.toFixed(2)}  ${f.value === null ? '' : f.value <= f.target ? 'ok' : 'OVER'}`;
      console.log(`  ${f.name.padEnd(60)} ${value}   ${target}${f.note ? `  (${f.note})` : ''}`.trimEnd());
    }
  }
}
