// The render worker's local scratch: one folder per worker process, so that workers sharing a
// host never touch each other's files; at start-up the folders of this node's workers that are
// gone are removed; claiming pauses while scratch or the root lacks disk.minFreeMb.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../shared/config.js';
import { formatBytes, freeBytes } from '../shared/disk.js';
import type { Logger } from '../shared/log.js';
import { processAlive } from '../shared/process.js';

/** The folder under which every render worker keeps its own scratch folder. */
export function scratchBase(config: Config): string {
  return config.render.scratchDir ?? join(tmpdir(), 'clipmill-scratch');
}

/** This worker process's scratch folder. */
export function scratchRoot(config: Config, node: string, pid = process.pid): string {
  return join(scratchBase(config), `${node}-${pid}`);
}

/** Removes the scratch folders of this node's workers that are no longer running. */
export async function cleanStaleScratch(config: Config, node: string): Promise<string[]> {
  const base = scratchBase(config);
  const removed: string[] = [];
  const mine = new RegExp(`^${node.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`);
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const m = mine.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    await rm(join(base, name), { recursive: true, force: true });
    removed.push(join(base, name));
  }
  return removed;
}

/** True when scratch and the root both have `disk.minFreeMb` free; logs the spec's WARN otherwise. */
export async function diskOk(config: Config, scratch: string, root: string, log: Logger): Promise<boolean> {
  const min = config.disk.minFreeMb * 1024 * 1024;
  await mkdir(scratch, { recursive: true });
  for (const [what, path] of [['scratch', scratch], ['root', root]] as const) {
    const free = await freeBytes(path);
    if (free < min) {
      log.warn({ path, free }, `Low disk space: ${formatBytes(free)} remaining on ${what} (${path}); not claiming until ${config.disk.minFreeMb} MB are free`);
      return false;
    }
  }
  return true;
}
