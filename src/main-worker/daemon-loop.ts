// The daemon's loop: watch raw/ (chokidar, a hint), then scan raw/ and check health over and
// over: at once when the watcher reports a change, when a settling file is due, and at the
// latest every ingest.scanIntervalMs (or health.checkIntervalMs), whatever the watcher says.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../shared/errors.js';
import type { MainContext } from './context.js';
import { watchRaw } from './watch.js';

/** What the loop drives (the MainWorker). */
export interface DaemonHost {
  /** Start-up (lock, recovery, first plan); the watcher is already running, so no change is missed. */
  start(): Promise<void>;
  /** Lists raw/ and queues what is stable, without waiting for it. */
  scan(): Promise<void>;
  /** Dead nodes and stale leases, at most every health.checkIntervalMs. */
  health(): Promise<void>;
  /** Milliseconds until the earliest settling raw file may be stable (Infinity when none is settling). */
  nextDueIn(now: number): number;
}

/** Bursts of watcher events (a folder copied in) within this many ms make one scan. */
const COALESCE_MS = 100;

/**
 * Runs until `stop` aborts, then closes the watcher and returns (draining the queues is the
 * caller's). `watch` is for tests.
 */
export async function daemonLoop(ctx: MainContext, host: DaemonHost, stop: AbortSignal, watch: typeof watchRaw = watchRaw): Promise<void> {
  const { log, config, layout } = ctx;
  let wake: (() => void) | null = null;
  const watcher = watch(layout.raw, config, log, () => wake?.());
  try {
    await host.start();
    log.info(`Main worker watching ${layout.raw} (${config.watch.usePolling ? `polling every ${config.watch.pollingIntervalMs} ms` : 'file system events'}, full rescan every ${config.ingest.scanIntervalMs} ms)`);
    while (!stop.aborted) {
      try {
        await host.scan();
      } catch (err) {
        if (stop.aborted) break;
        log.error({ err }, `Scan of raw/ failed: ${errorMessage(err)}`);
      }
      await host.health();
      const wait = Math.min(config.ingest.scanIntervalMs, config.health.checkIntervalMs, host.nextDueIn(Date.now()) + 20);
      const woke = await new Promise<boolean>((resolve) => {
        const done = (byEvent: boolean) => {
          clearTimeout(timer);
          stop.removeEventListener('abort', onAbort);
          wake = null;
          resolve(byEvent);
        };
        const onAbort = () => done(false);
        const timer = setTimeout(() => done(false), wait);
        wake = () => done(true);
        stop.addEventListener('abort', onAbort, { once: true });
      });
      if (woke) await sleep(COALESCE_MS, undefined, { signal: stop }).catch(() => {});
    }
  } finally {
    await watcher.close();
  }
}
