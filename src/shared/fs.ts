// File system atomics (DESIGN invariant 2): everything a reader can see is built under a
// dot-prefixed temporary name, fsynced, and renamed into place.
import { constants, createReadStream } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, readlink, rename, rm, stat, symlink, unlink, access, lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ClipmillError } from './errors.js';

/** `.name.tmp-<random>` beside the final path: ignored by watchers and by the scanners. */
export function tempPathFor(path: string): string {
  // ".<name>.tmp-xxxxxxxx" is 15 bytes longer than the name: a long name is shortened to fit.
  return join(dirname(path), `.${fitName(basename(path), NAME_MAX - 15)}.tmp-${randomBytes(4).toString('hex')}`);
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems (and directories on some platforms) refuse fsync; the rename that
    // follows is still atomic, only its durability is weaker.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
  } finally {
    await fh.close();
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Creates `path` (which must not exist) with `data`, fsynced before it returns; `mode` (default 0o666, less the umask) from its creation on. */
export async function writeNewFileSynced(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const fh = await open(path, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes a file atomically: temp file, fsync, rename, fsync of the folder. A failure is IO
 * (recoverable) naming the path and the system's reason ("ENOSPC: no space left on device"
 * alone says nothing of where).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeNewFileSynced(tmp, data, opts.mode);
    await rename(tmp, path);
    await fsyncPath(dirname(path));
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw ioError(path, err);
  }
}

function ioError(path: string, err: unknown): ClipmillError {
  const e = err as NodeJS.ErrnoException;
  return new ClipmillError('IO', `cannot write ${path}: ${e.code ? `${e.code}: ` : ''}${(e.message ?? String(err)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}`, { cause: err, details: { path, errno: e.code } });
}

/** Which file a path named when it was made (device and inode): see removeIfSameFile. */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** The creation time where the file system records it (else 0): an inode number can be reused. */
  birthtimeMs: number;
}

/**
 * Creates `path` whole or not at all, never replacing anything: a temp file written and fsynced,
 * then renamed in with renameNoReplace (DUPLICATE when `path` exists by then, whoever made it,
 * and the temp file is removed). Returns the identity of the file made, so that a caller
 * undoing its work removes only its own file (removeIfSameFile), never one put there since.
 */
export async function writeNewFileNoReplace(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<FileIdentity> {
  const tmp = tempPathFor(path);
  let id: FileIdentity;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeNewFileSynced(tmp, data, opts.mode);
    const st = await lstat(tmp);
    id = { dev: st.dev, ino: st.ino, birthtimeMs: st.birthtimeMs };
    await renameNoReplace(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    if (isDuplicate(err)) throw err;
    throw ioError(path, err);
  }
  await fsyncPath(dirname(path));
  return id;
}

function isDuplicate(err: unknown): boolean {
  return err instanceof ClipmillError && err.code === 'DUPLICATE';
}

/** Removes `path` only when it is still the file `id` names (nothing when it is gone or another file). */
export async function removeIfSameFile(path: string, id: FileIdentity): Promise<boolean> {
  const st = await lstat(path).catch(() => null);
  if (!st || st.dev !== id.dev || st.ino !== id.ino || st.birthtimeMs !== id.birthtimeMs) return false;
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  return true;
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Copies a file so that `dst` appears whole or not at all. */
export async function copyFileAtomic(src: string, dst: string): Promise<void> {
  await mkdir(dirname(dst), { recursive: true });
  const tmp = tempPathFor(dst);
  try {
    await copyFile(src, tmp, constants.COPYFILE_EXCL);
    await fsyncPath(tmp);
    await rename(tmp, dst);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncPath(dirname(dst));
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Whether two files hold the same bytes (size first, then a hash). */
export async function sameContent(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  if (sa.size !== sb.size) return false;
  const [ha, hb] = await Promise.all([sha256(a), sha256(b)]);
  return ha === hb;
}

function duplicate(dst: string): ClipmillError {
  return new ClipmillError('DUPLICATE', `${dst} already exists`, { details: { destination: dst } });
}

/**
 * rename(2) that never replaces: link(2) fails with EEXIST when `dst` exists, atomically, then
 * the source name is removed. On file systems without hard links, a check then a rename.
 */
export async function renameNoReplace(src: string, dst: string): Promise<void> {
  try {
    await link(src, dst);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw duplicate(dst);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EMLINK') throw err;
    if (await exists(dst)) throw duplicate(dst);
    await rename(src, dst);
    return;
  }
  try {
    await unlink(src);
  } catch (err) {
    // The source name cannot be removed (a read-only folder): undo the link, so that the file
    // is not in two places and every retry does not repeat it.
    await unlink(dst).catch(() => {});
    throw err;
  }
}

/**
 * Moves a file to `dst`, never replacing an existing one. Within one file system this is one
 * link-and-unlink (or rename); across file systems (EXDEV) it is copy to a temp name, fsync,
 * rename, then unlink of the source, so a crash leaves either the source or both, never a
 * partial destination. Idempotent: when `dst` already holds the same bytes (a crash after the
 * copy, before the unlink), only the source is removed.
 */
export async function moveFile(src: string, dst: string): Promise<void> {
  await mkdir(dirname(dst), { recursive: true });
  if (await exists(dst)) {
    if (!(await sameContent(src, dst))) throw duplicate(dst);
    await unlink(src);
    return;
  }
  try {
    await renameNoReplace(src, dst);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    // A symbolic link moves as the link itself, never as what it points to.
    if ((await lstat(src)).isSymbolicLink()) await symlink(await readlink(src), dst);
    else await copyFileAtomic(src, dst);
    try {
      await unlink(src);
    } catch (unlinkErr) {
      // The source cannot be removed (a read-only share): undo the copy, so that every
      // rescan does not make one more. The caller sees an I/O error and leaves the file.
      await rm(dst, { force: true });
      throw unlinkErr;
    }
  }
  await fsyncPath(dirname(dst));
}

/**
 * A destination name that does not exist yet: `name`, else `name (2)`, `name (3)`, … Every
 * name in `companions` (suffixes such as ".reason.json") must be free for it too.
 */
export async function freeName(dir: string, name: string, companions: ((candidate: string) => string)[] = []): Promise<string> {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? name : fitName(`${stem} (${i})${ext}`);
    let free = !(await exists(join(dir, candidate)));
    for (const c of companions) if (free && (await exists(join(dir, c(candidate))))) free = false;
    if (free) return candidate;
  }
}

/** The longest file name (in bytes) Linux file systems take (NAME_MAX). */
export const NAME_MAX = 255;

/**
 * `name` when it fits in NAME_MAX bytes, else its beginning (cut at a character boundary) with
 * `~` and 8 hex digits of its SHA-256, so that distinct long names stay distinct.
 */
export function fitName(name: string, max = NAME_MAX): string {
  if (Buffer.byteLength(name) <= max) return name;
  const tag = `~${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  let head = '';
  for (const ch of name) {
    if (Buffer.byteLength(head + ch) + tag.length > max) break;
    head += ch;
  }
  return head + tag;
}

/** `base` when it does not exist, else the first free of `base.2`, `base.3`, … */
export async function firstFreePath(base: string): Promise<string> {
  let path = base;
  for (let n = 2; await exists(path); n++) path = `${base}.${n}`;
  return path;
}

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function removeIfExists(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
