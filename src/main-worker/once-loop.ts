// `--once`: start up, then scan and wait for everything queued, round after round, while files
// in raw/ are still settling (a file still changing after MAX_ONCE_ROUNDS rounds is left for
// the next run); then one last planning pass.
import { setTimeout as sleep } from 'node:timers/promises';
import type { MainContext } from './context.js';

/** Scans after the first one, waiting for settling files, before a --once run gives up on them. */
export const MAX_ONCE_ROUNDS = 10;

/** What the rounds drive (the MainWorker). */
export interface OnceHost {
  start(): Promise<void>;
  /** Lists raw/ and queues what is stable, without waiting for it. */
  scan(): Promise<void>;
  /** Resolves when no ingest, conversion or planning is queued or running. */
  idle(): Promise<void>;
  schedulePlan(): void;
  /** Raw files still changing after the last scan. */
  settling(): number;
  /** Whether a file changed while it was being checked since resetChanged(). */
  changed(): boolean;
  resetChanged(): void;
  /** Milliseconds until the earliest settling raw file may be stable (Infinity when none is settling). */
  nextDueIn(now: number): number;
}

/** Returns when everything ready is done, or `stop` aborted. */
export async function onceLoop(ctx: MainContext, host: OnceHost, stop?: AbortSignal): Promise<void> {
  await host.start();
  for (let round = 0; ; round++) {
    host.resetChanged();
    await host.scan();
    await host.idle();
    if ((host.settling() === 0 && !host.changed()) || stop?.aborted) break;
    if (round >= MAX_ONCE_ROUNDS) {
      ctx.log.warn(`${host.settling()} file(s) in raw/ are still changing; left for the next run`);
      break;
    }
    await sleep(Math.min(host.nextDueIn(Date.now()), ctx.config.ingest.stableMs) + 20, undefined, stop ? { signal: stop } : {}).catch(() => {});
  }
  host.schedulePlan();
  await host.idle();
}
