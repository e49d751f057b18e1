// How this process runs ffmpeg and ffprobe. The main worker limits its children's address space
// (RLIMIT_AS through util-linux prlimit, ingest.memoryLimitMb) so that one hostile file (a
// 200 KB clip of 8192x8192 frames took 7 GB to convert) cannot take the node down. Render
// workers do not: CUDA reserves a huge address space, which RLIMIT_AS would refuse; a cgroup
// (systemd MemoryMax=) is the tool there.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { subprocessError } from '../errors.js';
import { machineFailureError } from './stderr.js';

let limitBytes = 0;
let prlimitPath: string | null | undefined;

function findPrlimit(): string | null {
  prlimitPath ??= (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).map((d) => join(d, 'prlimit')).find((p) => existsSync(p)) ?? null;
  return prlimitPath;
}

/**
 * Limits the address space of every ffmpeg and ffprobe this process starts from now on (0: no
 * limit). Returns false when prlimit is not installed, so that the caller can say so.
 */
export function limitChildMemory(mb: number): boolean {
  limitBytes = mb > 0 ? mb * 1024 * 1024 : 0;
  return limitBytes === 0 || findPrlimit() !== null;
}

/** The command line that runs `bin argv` under this process's limit: [file, args] for execa (never a shell). */
export function mediaCommand(bin: string, argv: string[]): [string, string[]] {
  const prlimit = limitBytes > 0 ? findPrlimit() : null;
  // prlimit sets the limit, then execs env, which execs the binary: the same pid, so signals
  // and timeouts reach it. MALLOC_ARENA_MAX keeps glibc from reserving 64 MB of address space
  // per thread arena, which on a many-core node would eat the limit without using memory.
  return prlimit ? [prlimit, [`--as=${limitBytes}`, '--', 'env', 'MALLOC_ARENA_MAX=2', bin, ...argv]] : [bin, argv];
}

/**
 * Runs `bin -version` under this process's limit: null when it starts, else why not (a limit
 * too low for the binary to even load its libraries would fail every file).
 */
export async function startsUnderLimit(bin: string): Promise<string | null> {
  const r = await execa(...mediaCommand(bin, ['-version']), { reject: false, timeout: 30_000 });
  if (!r.failed) return null;
  return r.stderr.trim().split('\n').slice(-1)[0] || r.shortMessage || 'failed';
}

/** What an ffmpeg or ffprobe run left for the caller to judge: it ran to its end, on a machine that did not fail. */
export interface MediaRun {
  stdout: string;
  stderr: string;
  failed: boolean;
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
}

/**
 * Runs `bin argv` under this process's limit (never a shell), and throws what says nothing
 * about the input: SUBPROCESS_FAILED when it did not run to its end (killed, timed out,
 * canceled, not started), or a machine failure its stderr reports (ENOSPC, EIO, ENOMEM), even
 * after exit 0. `what` names it in those errors ("ffprobe", "the decode check").
 */
export async function runMedia(bin: string, argv: string[], opts: { what: string; timeoutMs: number; signal?: AbortSignal | undefined; maxBuffer?: number; details?: Record<string, unknown> }): Promise<MediaRun> {
  const r = await execa(...mediaCommand(bin, argv), { reject: false, timeout: opts.timeoutMs, ...(opts.signal ? { cancelSignal: opts.signal } : {}), maxBuffer: opts.maxBuffer ?? 16 * 1024 * 1024 });
  const trouble = subprocessError(opts.what, r, opts.details);
  if (trouble) throw trouble;
  const machine = machineFailureError(opts.what, r.stderr, opts.details);
  if (machine) throw machine;
  return { stdout: r.stdout, stderr: r.stderr, failed: r.failed, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut };
}
