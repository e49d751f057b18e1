// The shorts' own queue: a short's stages call providers (a transcription, an LLM plan, image
// generation polled for minutes), which must not hold up the planning pass of voices and jobs.
// The pass offers each short that has no task; the queue runs one at a time, never the same
// short twice at once, and asks for another planning pass when a short changed (a stage
// entered, a task published), so that the status file and the jobs follow. Why a short waits
// is known once it has run: the pass reports the last reason of each.
import PQueue from 'p-queue';
import { errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';

export class ShortQueue {
  private readonly queue = new PQueue({ concurrency: 1 });
  private readonly queued = new Set<string>();
  /** label -> why it waits, from its last run. */
  private readonly lastWaiting = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly changed: (signal?: AbortSignal) => void,
  ) {}

  /**
   * Queues `work` for short `key` unless it is queued already, and copies its last waiting
   * reason into `waiting` (under `label`). `work` fills its own map with the reason it finds
   * and says whether it changed anything.
   */
  offer(key: string, label: string, waiting: Map<string, string>, work: (waiting: Map<string, string>) => Promise<boolean>, signal?: AbortSignal): void {
    const why = this.lastWaiting.get(label);
    if (why !== undefined) waiting.set(label, why);
    if (this.stopped || this.queued.has(key)) return;
    this.queued.add(key);
    void this.queue.add(async () => {
      let changed = false;
      try {
        if (signal?.aborted) return;
        const found = new Map<string, string>();
        changed = await work(found);
        const now = found.get(label);
        if (now !== undefined) this.lastWaiting.set(label, now);
        else this.lastWaiting.delete(label);
      } catch (err) {
        if (!signal?.aborted) this.log.error({ short: key, err }, `Short ${key} could not be made: ${errorMessage(err)}`);
      } finally {
        this.queued.delete(key);
        if (changed && !signal?.aborted && !this.stopped) this.changed(signal);
      }
    });
  }

  depth(): number {
    return this.queue.size + this.queue.pending;
  }

  idle(): Promise<void> {
    return this.queue.onIdle();
  }

  /** Takes no more shorts; those queued still run (with an aborted signal they return at once). */
  stop(): void {
    this.stopped = true;
  }
}
