// nodes/main-worker.json: who holds the root, the totals, and which voices wait for what (what
// `clipmill status` and the dashboard list). Written atomically, through its schema, after
// every planning pass.
import { hostname } from 'node:os';
import { errorMessage } from '../shared/errors.js';
import { writeJson } from '../shared/json.js';
import type { Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import { MainWorkerStatusSchema, type MainWorkerStatus, type StuckFile } from '../shared/node-files.js';
import type { Totals } from './metrics.js';

export interface WaitingVoice {
  voice: string;
  reason: string;
  since: string;
}

export class StatusFile {
  private readonly layout: Layout;
  private readonly log: Logger;
  readonly startedAt: string;
  private readonly stuck: () => readonly StuckFile[];
  private readonly providers: () => NonNullable<MainWorkerStatus['providers']>;

  constructor(layout: Layout, log: Logger, startedAt = new Date().toISOString(), stuck: () => readonly StuckFile[] = () => [], providers: () => NonNullable<MainWorkerStatus['providers']> = () => []) {
    this.layout = layout;
    this.log = log;
    this.startedAt = startedAt;
    this.stuck = stuck;
    this.providers = providers;
  }

  /** The file's content now. */
  content(totals: Totals, waiting: readonly WaitingVoice[], now = new Date(), waitingJobs: readonly WaitingVoice[] = []): MainWorkerStatus {
    return {
      host: hostname(),
      pid: process.pid,
      started_at: this.startedAt,
      updated_at: now.toISOString(),
      totals: { ...totals },
      waiting: waiting.map((w) => ({ ...w })),
      ...(waitingJobs.length ? { waiting_jobs: waitingJobs.map((w) => ({ job: w.voice, reason: w.reason, since: w.since })) } : {}),
      stuck: this.stuck().map((f) => ({ ...f })),
      ...(this.providers().length ? { providers: this.providers().map((p) => ({ ...p })) } : {}),
    };
  }

  /**
   * Writes the file. A failure is logged, not thrown: the status is for people, and a full or
   * read-only nodes/ must not stop the filing of raw/.
   */
  async write(totals: Totals, waiting: readonly WaitingVoice[], waitingJobs: readonly WaitingVoice[] = []): Promise<void> {
    const path = this.layout.mainWorkerStatus;
    await writeJson(MainWorkerStatusSchema, path, this.content(totals, waiting, new Date(), waitingJobs)).catch((err: unknown) => this.log.warn({ err }, `Could not write ${this.layout.rel(path)}: ${errorMessage(err)}`));
  }
}
