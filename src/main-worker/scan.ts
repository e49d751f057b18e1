// Listing raw/ and deciding when a file has stopped changing (DESIGN invariant 3).
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyRaw, isIgnoredName } from '../shared/layout.js';

export interface RawFile {
  /** Absolute path. */
  path: string;
  /** Path relative to raw/, forward slashes. */
  rel: string;
  size: number;
  mtimeMs: number;
  /** A symbolic link (to a file or a folder): never followed, taken as the link itself and rejected (RAW_SYMLINK). */
  link?: true;
}

/**
 * Every regular file under raw/, skipping ignored names (and whole ignored folders), and every
 * symbolic link, as the link itself: a link is never followed (a link to /usr would make the
 * farm walk and watch a whole system tree, and read files from outside the root).
 */
export async function listRaw(rawDir: string): Promise<RawFile[]> {
  const out: RawFile[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      // A folder removed or renamed while we walk it is not an error.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw err;
    }
    for (const e of entries) {
      if (isIgnoredName(e.name)) continue;
      const p = join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p, r);
      else if (e.isFile() || e.isSymbolicLink()) {
        try {
          const s = e.isSymbolicLink() ? await lstat(p) : await stat(p);
          out.push({ path: p, rel: r, size: s.size, mtimeMs: s.mtimeMs, ...(e.isSymbolicLink() ? { link: true as const } : {}) });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    }
  }
  await walk(rawDir, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** True when the file is no longer the one that was listed (rewritten or replaced meanwhile). */
export async function changedSince(file: RawFile): Promise<boolean> {
  const s = file.link ? await lstat(file.path) : await stat(file.path);
  return s.size !== file.size || s.mtimeMs !== file.mtimeMs;
}

/**
 * Tracks each raw file's (size, mtime) between scans. A file is stable once the same
 * signature has been seen for `stableMs` of our own clock: comparing mtime with our clock
 * instead would take a file early when a file server's clock is behind ours.
 */
export class StabilityTracker {
  private readonly seen = new Map<string, { size: number; mtimeMs: number; since: number }>();
  private readonly stableMs: number;
  constructor(stableMs: number) {
    this.stableMs = stableMs;
  }

  /** Records the scan; returns the files that are stable now. Forgets files that vanished. */
  observe(files: RawFile[], now: number): { stable: RawFile[]; settling: RawFile[] } {
    const present = new Set<string>();
    const stable: RawFile[] = [];
    const settling: RawFile[] = [];
    for (const f of files) {
      present.add(f.path);
      const prev = this.seen.get(f.path);
      if (!prev || prev.size !== f.size || prev.mtimeMs !== f.mtimeMs) {
        this.seen.set(f.path, { size: f.size, mtimeMs: f.mtimeMs, since: now });
        if (this.stableMs === 0) stable.push(f);
        else settling.push(f);
      } else if (now - prev.since >= this.stableMs) stable.push(f);
      else settling.push(f);
    }
    for (const p of this.seen.keys()) if (!present.has(p)) this.seen.delete(p);
    return { stable, settling };
  }

  forget(path: string): void {
    this.seen.delete(path);
  }

  /** Milliseconds until the earliest settling file could be stable (Infinity when none is settling). */
  nextDueIn(now: number): number {
    let min = Number.POSITIVE_INFINITY;
    for (const s of this.seen.values()) {
      const due = s.since + this.stableMs - now;
      if (due > 0) min = Math.min(min, due);
    }
    return min === Number.POSITIVE_INFINITY ? min : Math.max(0, min);
  }
}

/**
 * Sidecars (DESIGN §1) are taken with their file: of the stable files, `take` are those to
 * ingest now; `wait` are files whose sidecar is still settling (a sidecar copied after its file
 * settles within ingest.stableMs of its last change, so a file waits at most that long for it);
 * a sidecar whose file is in raw/ (settling, waiting or being taken) or is being ingested
 * (`ingesting`, rels: its ingest moves the file, then the sidecar, and a scan may come in
 * between) is neither: its file's ingest takes it. A sidecar whose file is not in raw/ is taken
 * alone, and rejected as an orphan.
 */
export function sidecarGate(stable: RawFile[], settling: RawFile[], all: RawFile[], ingesting: Iterable<string> = []): { take: RawFile[]; wait: RawFile[] } {
  const present = new Set([...all.map((f) => f.rel), ...ingesting]);
  const settlingRels = new Set(settling.map((f) => f.rel));
  const take: RawFile[] = [];
  const wait: RawFile[] = [];
  for (const f of stable) {
    const entry = classifyRaw(f.rel);
    if (!('unexpected' in entry) && entry.kind === 'sidecar') {
      if (!present.has(entry.of)) take.push(f);
      continue;
    }
    if (settlingRels.has(`${f.rel}.json`) || settlingRels.has(`${f.rel}.JSON`)) wait.push(f);
    else take.push(f);
  }
  return { take, wait };
}
