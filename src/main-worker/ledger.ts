// The task ledger (DESIGN invariant 5): one entry per task ever published, tasks/.ledger/<id>.json,
// so that a (voice file, variation) gets exactly one task, ever: also after its output is
// delivered and deleted. Entries are written after the task folder is published; a crash in
// between is repaired by the lookup, which falls back to the task folders. A lost ledger is
// rebuilt from the metadata.json of every task folder in the tree.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { exists } from '../shared/fs.js';
import { readJsonOrNull, writeJson } from '../shared/json.js';
import { UUID_RE, type Layout } from '../shared/layout.js';
import { TASK_FILES } from '../shared/task.js';
import { findTask } from '../shared/protocol/publish.js';

/** tasks/.ledger/<id>.json: one task ever published for (voice, variation) or (job, source, variation). */
export const LedgerEntrySchema = z.strictObject({
  task_id: z.string().regex(UUID_RE),
  /** The scanned voice file, relative to the root (a voice-over task). */
  voice: z.string().min(1).optional(),
  /** A job task: the job's name and the source's asset id. */
  job: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  /** A short (docs/shorts.md): its key. */
  short: z.string().min(1).optional(),
  variation: z.number().int().min(0),
  /** When the task was published; empty when a rebuild found no created_at in its metadata. */
  created_at: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/**
 * What a rebuild needs of a task folder's metadata.json. Lenient on purpose: a task published
 * once is in the ledger whatever else its metadata says (an older or newer schema version, a
 * field today's MetadataSchema refuses), as long as it names its voice and variation.
 */
const PublishedTaskSchema = z.looseObject({
  task_id: z.string().min(1),
  voice_source: z.string().min(1).nullable().optional(),
  job: z.looseObject({ name: z.string().min(1), source: z.string().min(1) }).optional(),
  short: z.looseObject({ key: z.string().min(1) }).optional(),
  variation: z.number(),
  created_at: z.string().optional(),
}).refine((m) => !!m.voice_source || !!m.job || !!m.short);

export class Ledger {
  private readonly dir: string;
  private readonly layout: Layout;
  private readonly known = new Set<string>();

  constructor(layout: Layout) {
    this.layout = layout;
    this.dir = layout.ledger;
  }

  /** Whether a task with this id was ever published (repairing the ledger if needed). */
  async has(id: string, entry: Omit<LedgerEntry, 'task_id' | 'created_at'>): Promise<boolean> {
    if (this.known.has(id)) return true;
    // The entry's existence is the record: one that is corrupt still says the task was
    // published, so that nothing is published twice.
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
    await writeJson(LedgerEntrySchema, join(this.dir, `${entry.task_id}.json`), entry);
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
        // A folder without readable metadata is not a task the ledger can vouch for.
        const meta = await readJsonOrNull(PublishedTaskSchema, join(parent, name, TASK_FILES.metadata));
        if (!meta) continue;
        try {
          const of = meta.job ? { job: meta.job.name, source: meta.job.source } : meta.short ? { short: meta.short.key } : { voice: meta.voice_source! };
          await this.record({ task_id: meta.task_id, ...of, variation: meta.variation, created_at: meta.created_at ?? '' });
          n++;
        } catch {
          // nor is one whose metadata makes no ledger entry (a task_id that is not a UUID)
        }
      }
    }
    await mkdir(this.dir, { recursive: true });
    return n;
  }
}
