// Every task of the root, wherever it is now (tasks/, processing/, output/, trash/failed/,
// trash/cancelled/), kept in memory and current for GET /tasks: a page of the list costs the
// same with 100 or 10,000 tasks (bench/tasks-api.ts). Like the claim index
// (shared/protocol/queue.ts), it learns of changes by watching the five folders (this host's
// renames) and by listing them again every `rescanMs` in the background (other hosts' renames
// on NFS), never by walking the tree per request. A task's metadata.json is read once, when
// it is first seen: what the list shows of it (priority, job, revision) never changes as the
// folder moves. The server keeps no state of its own: this is a cache of the tree.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UUID_RE, type Layout } from '../shared/layout.js';
import { failureNumber } from '../shared/protocol/retry.js';
import { readRegularFile } from '../shared/safe-files.js';
import { TASK_FILES } from '../shared/task.js';

export const TASK_STATES = ['queued', 'rendering', 'rendered', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface TaskSummary {
  id: string;
  /** Where it is now; a task in two places (failed, then retried) is where it went last (the order of TASK_STATES). */
  state: TaskState;
  /** The folder, relative to the root (trash/failed/<id>.2 for a second failure). */
  folder: string;
  priority: number;
  created_at: string | null;
  category: string | null;
  job: { name: string; variation: number; source: string } | null;
  revision_of: string | null;
  revision: number | null;
}

/** What the list reads of a metadata.json of any version: each field lenient (a damaged file is still listed). */
const Fields = z.looseObject({
  created_at: z.string().optional().catch(undefined),
  priority: z.number().int().optional().catch(undefined),
  category: z.string().optional().catch(undefined),
  job: z.looseObject({ name: z.string(), variation: z.number(), source_path: z.string() }).optional().catch(undefined),
  // A short of a job file (docs/shorts.md): its job is job/<name>, its one variation 0.
  short: z.looseObject({ key: z.string(), audio: z.string() }).optional().catch(undefined),
  revision_of: z.string().optional().catch(undefined),
  revision: z.number().int().optional().catch(undefined),
});

type Info = Omit<TaskSummary, 'state' | 'folder'>;

async function readInfo(dir: string, id: string): Promise<Info> {
  let f: z.infer<typeof Fields> = {};
  try {
    f = Fields.parse(JSON.parse((await readRegularFile(join(dir, TASK_FILES.metadata))).replace(/^\uFEFF/, '')));
  } catch {
    // missing or not JSON: listed with what the folder says
  }
  const created = f.created_at ?? (await stat(dir).catch(() => null))?.mtime.toISOString() ?? null;
  return {
    id,
    priority: f.priority ?? 0,
    created_at: created,
    category: f.category ?? null,
    job: f.job ? { name: f.job.name, variation: f.job.variation, source: f.job.source_path } : f.short?.key.startsWith('job/') ? { name: f.short.key.slice(4), variation: 0, source: f.short.audio } : null,
    revision_of: f.revision_of ?? null,
    revision: f.revision ?? null,
  };
}

/** The task id of a folder name (`<id>`, or `<id>.<n>` in the trash), or null. */
function idOf(name: string): string | null {
  const id = name.split('.')[0]!.toLowerCase();
  return UUID_RE.test(id) && (name.length === id.length || /^\.\d+$/.test(name.slice(id.length))) ? id : null;
}

export interface TaskListOptions {
  /** A full listing of the five folders at most this often, in the background (default 5 s). */
  rescanMs?: number;
  watch?: boolean;
}

export class TaskList {
  private readonly folders: [TaskState, string][];
  /** state -> folder name -> id */
  private readonly present = new Map<TaskState, Map<string, string>>();
  private readonly info = new Map<string, Info>();
  private readonly dirty = new Set<string>();
  private readonly watchers: FSWatcher[] = [];
  private sorted: TaskSummary[] | null = null;
  private byId = new Map<string, TaskSummary>();
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  /** Incremented on every change of the list: the event stream compares it. */
  version = 0;

  constructor(
    private readonly layout: Layout,
    private readonly opts: TaskListOptions = {},
  ) {
    this.folders = [
      ['rendering', layout.processing],
      ['queued', layout.tasks],
      ['rendered', layout.output],
      ['failed', layout.trashFailed],
      ['cancelled', layout.trashCancelled],
    ];
    for (const [s] of this.folders) this.present.set(s, new Map());
  }

  async open(): Promise<this> {
    if (this.opts.watch !== false) {
      for (const [state, dir] of this.folders) {
        try {
          const w = watch(dir, { persistent: false }, (_e, name) => {
            if (typeof name === 'string' && idOf(name)) this.dirty.add(`${state}/${name}`);
          });
          w.on('error', () => w.close());
          this.watchers.push(w);
        } catch {
          // no such folder yet, or no inotify: the rescans
        }
      }
    }
    await this.rescan();
    const every = this.opts.rescanMs ?? 5000;
    this.timer = setInterval(() => void this.rescan().catch(() => {}), every);
    this.timer.unref();
    return this;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const w of this.watchers.splice(0)) w.close();
  }

  private changed(): void {
    this.sorted = null;
    this.version++;
  }

  private async place(state: TaskState, dir: string, name: string, here: boolean): Promise<void> {
    const names = this.present.get(state)!;
    const id = idOf(name)!;
    if (here && !names.has(name)) {
      if (!this.info.has(id)) this.info.set(id, await readInfo(join(dir, name), id));
      names.set(name, id);
      this.changed();
    } else if (!here && names.delete(name)) this.changed();
  }

  /** The five folders listed again (names only; metadata.json of new tasks read once). */
  rescan(): Promise<void> {
    this.scanning ??= (async () => {
      this.dirty.clear();
      for (const [state, dir] of this.folders) {
        const now = new Set((await readdir(dir).catch(() => [] as string[])).filter((n) => idOf(n)));
        for (const name of [...this.present.get(state)!.keys()]) if (!now.has(name)) await this.place(state, dir, name, false);
        for (const name of now) await this.place(state, dir, name, true);
      }
      // Tasks gone from every folder (removed by hand, or trash emptied): forget what was read of them.
      const live = new Set<string>();
      for (const names of this.present.values()) for (const id of names.values()) live.add(id);
      for (const id of [...this.info.keys()]) if (!live.has(id)) this.info.delete(id);
    })().finally(() => (this.scanning = null));
    return this.scanning;
  }

  /**
   * A task the list has not seen (another host's rename on NFS, before the next background
   * rescan): its own folder looked for in each of the five places (a stat each, no listing).
   */
  async lookup(id: string): Promise<TaskSummary | undefined> {
    for (const [state, dir] of this.folders) {
      if (await stat(join(dir, id)).catch(() => null)) await this.place(state, dir, id, true);
    }
    return this.get(id);
  }

  /** What the watches reported, checked now (a stat per changed name, none when nothing changed). */
  async refresh(): Promise<void> {
    if (!this.dirty.size) return;
    const names = [...this.dirty];
    this.dirty.clear();
    for (const key of names) {
      const [state, name] = key.split('/') as [TaskState, string];
      const dir = this.folders.find(([s]) => s === state)![1];
      await this.place(state, dir, name, !!(await stat(join(dir, name)).catch(() => null)));
    }
  }

  /** Every task, newest first (created_at, then id). */
  all(): readonly TaskSummary[] {
    if (this.sorted) return this.sorted;
    const where = new Map<string, { state: TaskState; folder: string }>();
    for (const [state] of this.folders) {
      for (const [name, id] of this.present.get(state)!) {
        const prev = where.get(id);
        // The first state of TASK_STATES wins among live places; of two failures, the latest (by number: <id>.10 after <id>.9).
        if (!prev || (prev.state === state && failureNumber(name) > failureNumber(prev.folder))) where.set(id, { state, folder: name });
      }
    }
    const rel = (state: TaskState, name: string) => `${this.layout.rel(this.folders.find(([s]) => s === state)![1])}/${name}`;
    this.sorted = [...where].map(([id, w]) => ({ ...this.info.get(id)!, state: w.state, folder: rel(w.state, w.folder) }));
    this.sorted.sort((a, b) => ((a.created_at ?? '') < (b.created_at ?? '') ? 1 : (a.created_at ?? '') > (b.created_at ?? '') ? -1 : a.id < b.id ? -1 : 1));
    this.byId = new Map(this.sorted.map((t) => [t.id, t]));
    return this.sorted;
  }

  get(id: string): TaskSummary | undefined {
    this.all();
    return this.byId.get(id);
  }
}
