// Task files are untrusted input (a folder edited by hand, a tampered metadata.json): every
// path a render worker opens must resolve, after resolving links, inside the places DESIGN §1
// (Paths) allows, and be a regular file. Never a FIFO (whose open blocks a libuv thread
// forever, which then even blocks the process's exit), a device, or a directory.
import { constants, createWriteStream, type Stats } from 'node:fs';
import { link, lstat, open, realpath, unlink, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ClipmillError } from './errors.js';

/**
 * Opens `path` only if it is a regular file, and runs `use` on it. O_NONBLOCK: opening a FIFO
 * does not wait for a writer (the fstat then refuses it); O_NOFOLLOW: a link is refused
 * (ELOOP). `notRegular` makes the error for anything else (a FIFO, a folder, a device).
 */
async function withRegularFile<T>(path: string, notRegular: (st: Stats) => Error, use: (fh: FileHandle, st: Stats) => Promise<T>): Promise<T> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw notRegular(st);
    return await use(fh, st);
  } finally {
    await fh.close();
  }
}

/** Whether `p` is `dir` or below it (both already real paths). */
export function isInside(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The real path of `path` when it is a regular file inside one of `allowed` (folders, resolved
 * too); TASK_INVALID naming `what` otherwise (missing, a link to a missing file, outside,
 * not a regular file).
 */
export async function resolveAllowed(path: string, allowed: string[], what: string): Promise<string> {
  const real = await realpath(path).catch((err: NodeJS.ErrnoException) => {
    throw new ClipmillError('TASK_INVALID', `${what} is missing (or a link to a missing file)`, { cause: err, details: { stage: 'claim', input: what } });
  });
  const roots = await Promise.all(allowed.map((d) => realpath(d).catch(() => d)));
  if (!roots.some((d) => isInside(d, real))) {
    throw new ClipmillError('TASK_INVALID', `${what} resolves to ${real}, outside the places a task may read (${allowed.join(', ')})`, { details: { stage: 'claim', input: what } });
  }
  await withRegularFile(
    real,
    (st) => new ClipmillError('TASK_INVALID', `${what} is not a regular file (${st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a folder' : 'a device or socket'})`, { details: { stage: 'claim', input: what } }),
    async () => {},
  );
  return real;
}

/** The slowest copy we wait for: 60 s plus 1 MiB/s, whatever the share. */
const COPY_CHUNK = 1024 * 1024;

export function copyTimeoutMs(bytes: number): number {
  return 60_000 + Math.ceil(bytes / (1024 * 1024)) * 1000;
}

/**
 * Copies a regular file (never opening anything else) with a timeout proportional to its
 * size, honouring `signal`. The destination must not exist (EEXIST): a file there may be a
 * hard link to a file of the root, which a truncating copy would rewrite.
 */
export async function copyRegularFile(src: string, dst: string, signal?: AbortSignal): Promise<void> {
  await withRegularFile(
    src,
    () => new ClipmillError('TASK_INVALID', `${src} is not a regular file`),
    async (fh, st) => {
      const limit = AbortSignal.timeout(copyTimeoutMs(st.size));
      // 1 MiB chunks: a sixteenth of the reads and writes of the 64 KiB default (footage is large).
      // 'wx': a new file, never one that is there (it may be a hard link to a file of the root: linkOrCopyRegularFile).
      await pipeline(fh.createReadStream({ autoClose: false, highWaterMark: COPY_CHUNK }), createWriteStream(dst, { flags: 'wx', highWaterMark: COPY_CHUNK }), { signal: signal ? AbortSignal.any([signal, limit]) : limit }).catch((err: unknown) => {
        if (limit.aborted && !signal?.aborted) throw new ClipmillError('IO', `copying ${src} took longer than ${copyTimeoutMs(st.size) / 1000} s`, { cause: err });
        throw err;
      });
    },
  );
}

/**
 * copyRegularFile without copying where the file system allows: `dst` becomes a hard link to
 * `src` (a render's inputs, a rendered output: files nobody writes to once they are there), so
 * a task's footage reaches scratch on the root's own disk without a byte read. A link names
 * what `src` names, so a `src` that is not a regular file (a link, a FIFO planted meanwhile)
 * is refused as copyRegularFile refuses it. Across file systems (EXDEV), or where links are
 * not allowed, it copies.
 */
export async function linkOrCopyRegularFile(src: string, dst: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  await unlink(dst).catch(() => {});
  try {
    await link(src, dst);
  } catch {
    return copyRegularFile(src, dst, signal);
  }
  if (!(await lstat(dst)).isFile()) {
    await unlink(dst).catch(() => {});
    throw new ClipmillError('TASK_INVALID', `${src} is not a regular file`);
  }
}

/** The largest JSON file of the tree a process reads (metadata, claims, heartbeats, records). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Reads a small regular file as UTF-8, never blocking on what is not one: opened with
 * O_NONBLOCK|O_NOFOLLOW (a FIFO does not wait for a writer, a link is refused), checked to be a
 * regular file, and refused past `maxBytes` (a link to /dev/zero, a runaway file). Errors are
 * the system's (ENOENT, ELOOP, EIO...), or EFBIG/EINVAL-like errors with a code for the others.
 */
export async function readRegularFile(path: string, maxBytes = MAX_JSON_BYTES): Promise<string> {
  return withRegularFile(
    path,
    () => Object.assign(new Error(`${path} is not a regular file`), { code: 'EINVAL' }),
    async (fh, st) => {
      if (st.size > maxBytes) throw Object.assign(new Error(`${path} is ${st.size} bytes, more than ${maxBytes}`), { code: 'EFBIG' });
      return fh.readFile({ encoding: 'utf8' });
    },
  );
}
