// Watching raw/: chokidar tells us soon after something changes; it is only a hint. The
// periodic full rescan stays the source of truth, because inotify does not see writes made
// by other NFS/SMB clients (set watch.usePolling for such mounts).
import { basename } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Config } from '../shared/config.js';
import { isIgnoredName } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';

export function watchRaw(rawDir: string, config: Config, log: Logger, onChange: () => void): FSWatcher {
  const watcher = watch(rawDir, {
    ignoreInitial: true,
    persistent: true,
    // Never follow a symlink in raw/: a link to /usr took 15,000 inotify watches and 500 MB.
    // The link itself is reported (and rejected by ingest as RAW_SYMLINK).
    followSymlinks: false,
    ignored: (path: string) => path !== rawDir && isIgnoredName(basename(path)),
    ...(config.watch.usePolling ? { backend: 'polling' as const, pollingInterval: config.watch.pollingIntervalMs } : {}),
  });
  watcher.on('all', () => onChange());
  watcher.on('error', (err) => log.warn({ err }, `Watcher error on ${rawDir} (the periodic rescan continues): ${(err as Error).message}`));
  return watcher;
}
