// One main worker per root: recovery removes temporaries and plans tasks on the assumption
// that nobody else is doing the same. The lock is proper-lockfile's (a mkdir, atomic on NFS
// too, refreshed while held, stale after 30 s of silence); nodes/main-worker.json says who
// holds it, for the error message of the next one. Both paths come from Layout.
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';
import { ClipmillError } from '../shared/errors.js';
import { readJsonOrNull, writeJson } from '../shared/json.js';
import { processAlive } from '../shared/process.js';
import type { Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import { MainWorkerStatusSchema } from '../shared/node-files.js';

export async function lockRoot(layout: Layout, log: Logger): Promise<() => Promise<void>> {
  const target = layout.mainWorkerLockTarget;
  const options = {
    realpath: false,
    // The lock's name is spelled only in Layout (proper-lockfile's default is <target>.lock too).
    lockfilePath: layout.mainWorkerLock,
    stale: 30_000,
    update: 10_000,
    retries: 0,
    onCompromised: (err: Error) => log.error({ err }, `The main worker lock on ${layout.root} was lost (${err.message}); another main worker may have started`),
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ELOCKED') throw new ClipmillError('IO', `cannot take the main worker lock ${layout.mainWorkerLock}: ${code ?? ''} ${(err as Error).message}`.replace('  ', ' '), { cause: err, details: { path: layout.mainWorkerLock, errno: code } });
    // A holder whose status file is missing or corrupt is named as unknown: the lock decides.
    const holder = await readJsonOrNull(MainWorkerStatusSchema, layout.mainWorkerStatus);
    // A holder on this host whose process is gone (killed with SIGKILL, a crash) does not make
    // a restart wait for the lock to go stale: take it over. mkdir stays the arbiter if two
    // new main workers try at once.
    if (holder?.host === hostname() && holder.pid !== process.pid && !processAlive(holder.pid)) {
      log.warn(`Taking over the main worker lock of pid ${holder.pid}, which is gone`);
      // proper-lockfile's unlock() only releases this process's own locks: remove the lock
      // folder directly.
      await rm(layout.mainWorkerLock, { recursive: true, force: true });
      try {
        release = await lockfile.lock(target, options);
      } catch {
        throw new ClipmillError('MAIN_WORKER_RUNNING', `another main worker took ${layout.root} at the same moment; run one main worker per farm`);
      }
    } else {
      throw new ClipmillError('MAIN_WORKER_RUNNING', `another main worker holds ${layout.root}${holder ? ` (pid ${holder.pid} on ${holder.host}, since ${holder.started_at})` : ''}; run one main worker per farm`);
    }
  }
  try {
    await writeJson(MainWorkerStatusSchema, layout.mainWorkerStatus, { host: hostname(), pid: process.pid, started_at: new Date().toISOString() });
  } catch (err) {
    // Never a lock without its status file: the next main worker could not tell who holds it,
    // nor take it over when the holder is gone. Give the lock back and fail.
    await release().catch((e: unknown) => log.warn({ err: e }, `Could not release the main worker lock on ${layout.root}`));
    throw err;
  }
  return release;
}
