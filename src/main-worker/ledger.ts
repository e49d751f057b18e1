// The task ledger (DESIGN invariant 5): one entry per task ever published, tasks/.ledger/<id>.json,
// so that a (voice file, variation) gets exactly one task, ever: also after its output is
// delivered and deleted. Entries are written after the task folder is published; a crash in
// between is repaired by the lookup, which falls back to the task folders. A lost ledger is
// rebuilt from the metadata.json of every task folder in the tree.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exists, writeJsonAtomic } from '../shared/fs.js';
import { UUID_RE, type Layout } from '../shared/layout.js';
import { findTask } from '../shared/protocol/publish.js';

export interface LedgerEntry {
  task_id: string;
  voice: string;
  variation: number;
  created_at: string;
}

export class Ledger {
  private readonly dir: string;
  private readonly layout: Layout;
  private readonly known = new Set<string>();

  constructor(layout: Layout) {
    this.layout = layout;
    this.dir = join(layout.tasks, '.ledger');
  }

  /** Whether a task with this id was ever published (repairing the ledger if needed). */
  async has(id: string, entry: Omit<LedgerEntry, 'task_id' | 'created_at'>): Promise<boolean> {
    if (this.known.has(id)) return true;
    if (await exists(join(this.dir, `${id}.json`))) {
      this.known.add(id);
      return true;
    }
    if (await findTask(this.layout, id)) {
      await this.record({ task_id: id, ...entry, created_at: new Date().toISOString() });
      return true;
    }
    return false;
  }

  async record(entry: LedgerEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeJsonAtomic(join(this.dir, `${entry.task_id}.json`), entry);
    this.known.add(entry.task_id);
  }

  /** When the ledger folder is missing: rebuilds it from every task folder's metadata.json. */
  async rebuildIfMissing(): Promise<number | null> {
    if (await exists(this.dir)) return null;
    let n = 0;
    for (const parent of [this.layout.tasks, this.layout.processing, this.layout.output, this.layout.trashFailed]) {
      for (const name of await readdir(parent).catch(() => [] as string[])) {
        const id = name.split('.')[0]!;
        if (!UUID_RE.test(id)) continue;
        try {
          const meta = JSON.parse(await readFile(join(parent, name, 'metadata.json'), 'utf8')) as { task_id?: string; voice_source?: string; variation?: number; created_at?: string };
          if (!meta.task_id || !meta.voice_source || typeof meta.variation !== 'number') continue;
          await this.record({ task_id: meta.task_id, voice: meta.voice_source, variation: meta.variation, created_at: meta.created_at ?? '' });
          n++;
        } catch {
          // a folder without readable metadata is not a task the ledger can vouch for
        }
      }
    }
    await mkdir(this.dir, { recursive: true });
    return n;
  }
}
