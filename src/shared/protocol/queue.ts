// The index of waiting tasks (tasks/): what a render worker claims next, kept in memory and
// current as tasks come and go, so that a claim costs the same with 10 or 10,000 tasks waiting
// (bench/claim.ts). The claim order is the queue's rule: highest `priority` first, then the
// oldest (`created_at`), never a task before its `not_before`, and not by a node that a
// resource failure told to leave it to others (`avoid_nodes`) until that expires.
//
// The index learns of changes three ways: a watch on tasks/ (inotify: names renamed in or out
// on this host), a full listing every tasks.indexRescanMs (other hosts' changes on NFS, where
// watches see nothing) or whenever it has no task to offer, and the claim itself, which reads
// the chosen task's metadata.json once more before taking it. A stale entry therefore costs one
// extra read, never a wrong claim: every folder that enters tasks/ was built elsewhere and
// renamed in (publish, hand-back, retry), so metadata.json is whole whenever it is read.
//
// The dashboard's API and `clipmill status` list the queue through the same index (list()).
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { readRegularFile } from '../safe-files.js';
import { join } from 'node:path';
import { z } from 'zod';
import { UUID_RE, type Layout } from '../layout.js';
import { TASK_FILES } from '../task.js';

export interface QueueEntry {
  readonly id: string;
  readonly priority: number;
  /** The order among equal priorities: created_at in ms (else the folder's mtime). */
  readonly createdMs: number;
  /** 0: none. */
  readonly notBeforeMs: number;
  readonly avoid: readonly { node: string; untilMs: number }[];
  /** A chunk task or a join (metadata.json `chunk` or `join`, docs/chunks.md): claimed only by a node free now, never ahead of time (claimNext `ahead`). */
  readonly freeNodeOnly?: boolean;
  /** The order among tasks of equal priority and age (the chunk tasks of one task): the longest render first, the audio last. Absent: 0. */
  readonly rank?: number;
}

/** What the index reads of a metadata.json of any version: each field lenient, so that a damaged file is still listed (and fails when claimed). */
const IndexFields = z.looseObject({
  created_at: z.string().optional().catch(undefined),
  priority: z.number().int().optional().catch(undefined),
  not_before: z.string().optional().catch(undefined),
  avoid_nodes: z.array(z.looseObject({ node: z.string(), until: z.string() })).optional().catch(undefined),
  chunk: z.looseObject({ kind: z.string().optional().catch(undefined), range: z.looseObject({ start_frame: z.number(), to_frame: z.number() }).optional().catch(undefined) }).optional().catch(undefined),
  join: z.looseObject({}).optional().catch(undefined),
});

/** Ranks of chunk tasks start here: after their task itself (rank 0) when it is published again (a retry splits again). */
const CHUNK_RANKS = 2 ** 31;

/**
 * The rank of a chunk task among its siblings (which share their task's priority and
 * created_at): the frames it renders, pre-roll included, the most first; the audio, a small
 * share of the work, after every video chunk. The last tasks handed out are then the short
 * ones, and the nodes finish close together.
 */
function chunkRank(c: z.infer<typeof IndexFields>['chunk']): number | undefined {
  if (!c) return undefined;
  return c.kind === 'video' && c.range ? CHUNK_RANKS - Math.max(0, c.range.to_frame - c.range.start_frame) : CHUNK_RANKS + 1;
}

const ms = (iso: string | undefined): number | null => {
  if (iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

/** The claim order: priority descending, then created ascending, then rank (chunk tasks), then id (a total order: every worker agrees). */
export function claimOrder(a: QueueEntry, b: QueueEntry): number {
  return b.priority - a.priority || a.createdMs - b.createdMs || (a.rank ?? 0) - (b.rank ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Whether `node` may claim the entry at `now`. */
export function claimable(e: QueueEntry, node: string, now: number): boolean {
  return e.notBeforeMs <= now && !e.avoid.some((a) => a.node === node && a.untilMs > now);
}

/** The entry for a task folder of tasks/, or null when it is gone. */
export async function readEntry(dir: string, id: string): Promise<QueueEntry | null> {
  let text: string;
  try {
    // As every reader of the tree reads it: a FIFO or a link to /dev/zero planted as
    // metadata.json must not hang or flood the claims (it is offered and failed when claimed).
    text = await readRegularFile(join(dir, TASK_FILES.metadata));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EINVAL' || code === 'EFBIG') text = '';
    else if (code !== 'ENOENT') throw err;
    else {
      // No metadata.json: gone (claimed), or a broken folder, which is offered like any other
      // and failed with TASK_INVALID by whoever claims it.
      const s = await stat(dir).catch(() => null);
      return s ? { id, priority: 0, createdMs: s.mtimeMs, notBeforeMs: 0, avoid: [] } : null;
    }
  }
  let parsed: z.infer<typeof IndexFields> = {};
  try {
    parsed = IndexFields.parse(JSON.parse(text.replace(/^\uFEFF/, '')));
  } catch {
    // Not JSON: offered at priority 0, failed when claimed.
  }
  const created = ms(parsed.created_at) ?? (await stat(dir).catch(() => null))?.mtimeMs ?? 0;
  return {
    id,
    priority: parsed.priority ?? 0,
    createdMs: created,
    notBeforeMs: ms(parsed.not_before) ?? 0,
    avoid: (parsed.avoid_nodes ?? []).flatMap((a) => {
      const until = ms(a.until);
      return until === null ? [] : [{ node: a.node, untilMs: until }];
    }),
    ...(parsed.chunk || parsed.join ? { freeNodeOnly: true } : {}),
    ...(parsed.chunk ? { rank: chunkRank(parsed.chunk)! } : {}),
  };
}

/** A binary heap; entries removed from the index stay in it until they reach the top (lazy deletion). */
class Heap<T> {
  private readonly a: T[] = [];
  constructor(private readonly before: (x: T, y: T) => boolean) {}
  get size(): number {
    return this.a.length;
  }
  peek(): T | undefined {
    return this.a[0];
  }
  push(x: T): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length && last !== undefined) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
  clear(): void {
    this.a.length = 0;
  }
}

export interface TaskIndexOptions {
  /** A full listing of tasks/ at most this often (tasks.indexRescanMs); also whenever the index has nothing to offer. */
  rescanMs: number;
  /** Watch tasks/ for this host's changes (default true). */
  watch?: boolean;
  now?: () => number;
}

export class TaskIndex {
  private readonly entries = new Map<string, QueueEntry>();
  /** Entries due now, in claim order. */
  private readonly ready = new Heap<QueueEntry>((x, y) => claimOrder(x, y) < 0);
  /** Entries waiting for their not_before, earliest first. */
  private readonly delayed = new Heap<QueueEntry>((x, y) => x.notBeforeMs < y.notBeforeMs);
  private readonly dirty = new Set<string>();
  private watcher: FSWatcher | null = null;
  private lastScan = Number.NEGATIVE_INFINITY;
  readonly now: () => number;

  constructor(
    private readonly layout: Layout,
    private readonly opts: TaskIndexOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts the watch (when asked for) and lists tasks/ once. */
  async open(): Promise<this> {
    if (this.opts.watch !== false && !this.watcher) {
      try {
        this.watcher = watch(this.layout.tasks, { persistent: false }, (_event, name) => {
          if (typeof name === 'string' && UUID_RE.test(name)) this.dirty.add(name);
        });
        // A watch that fails later (the folder replaced, inotify limits) leaves the rescans.
        this.watcher.on('error', () => this.stopWatching());
      } catch {
        this.watcher = null;
      }
    }
    await this.rescan();
    return this;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  close(): void {
    this.stopWatching();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Puts (or replaces) an entry. */
  set(e: QueueEntry): void {
    this.entries.set(e.id, e);
    if (e.notBeforeMs > this.now()) this.delayed.push(e);
    else this.ready.push(e);
  }

  remove(id: string): void {
    this.entries.delete(id);
  }

  get(id: string): QueueEntry | undefined {
    return this.entries.get(id);
  }

  /** Reads one task's entry again (or removes it when it is gone); returns the entry. */
  async reload(id: string): Promise<QueueEntry | null> {
    const e = await readEntry(this.layout.task(id), id);
    if (e) this.set(e);
    else this.remove(id);
    return e;
  }

  /** The whole of tasks/ listed again: new names read, vanished ones dropped. */
  async rescan(): Promise<void> {
    this.lastScan = this.now();
    this.dirty.clear();
    const names = new Set((await readdir(this.layout.tasks).catch(() => [] as string[])).filter((n) => UUID_RE.test(n)));
    for (const id of this.entries.keys()) if (!names.has(id)) this.entries.delete(id);
    for (const id of names) if (!this.entries.has(id)) await this.reload(id);
    // Rebuild the heaps from the live entries: a rescan also clears what lazy deletion left.
    this.ready.clear();
    this.delayed.clear();
    for (const e of this.entries.values()) this.set(e);
  }

  /** Up to date as of now: the names the watch reported read again, and a full listing when one is due (or `full`). */
  async refresh(full = false): Promise<void> {
    if (full || this.now() - this.lastScan >= this.opts.rescanMs) return this.rescan();
    const names = [...this.dirty];
    this.dirty.clear();
    for (const id of names) await this.reload(id);
  }

  private live(e: QueueEntry): boolean {
    return this.entries.get(e.id) === e;
  }

  /** The next task `node` may claim now, in claim order, none of `skip`; null when there is none. */
  next(node: string, skip?: ReadonlySet<string>): QueueEntry | null {
    const now = this.now();
    for (let top = this.delayed.peek(); top && (!this.live(top) || top.notBeforeMs <= now); top = this.delayed.peek()) {
      this.delayed.pop();
      if (this.live(top)) this.ready.push(top);
    }
    const aside: QueueEntry[] = [];
    let found: QueueEntry | null = null;
    while (this.ready.size) {
      const e = this.ready.pop()!;
      if (!this.live(e)) continue;
      aside.push(e);
      if (skip?.has(e.id) || !claimable(e, node, now)) continue;
      found = e;
      break;
    }
    for (const e of aside) this.ready.push(e);
    return found;
  }

  /** The earliest not_before of a waiting task, or null: when something may become claimable. */
  nextDue(): number | null {
    let t: number | null = null;
    for (const e of this.entries.values()) if (e.notBeforeMs > this.now() && (t === null || e.notBeforeMs < t)) t = e.notBeforeMs;
    return t;
  }

  /** Every waiting task in claim order (those due now first, then those delayed, by when). */
  list(): QueueEntry[] {
    const now = this.now();
    const all = [...this.entries.values()];
    const due = all.filter((e) => e.notBeforeMs <= now).sort(claimOrder);
    const later = all.filter((e) => e.notBeforeMs > now).sort((a, b) => a.notBeforeMs - b.notBeforeMs || claimOrder(a, b));
    return [...due, ...later];
  }
}
