// Farm health, run by the main worker (DESIGN invariant 4): render nodes whose heartbeat is
// older than health.nodeTimeoutMs are marked dead, and every task in processing/ whose lease
// has gone stale is recovered by the task protocol (src/shared/protocol/recover.ts), and the
// join of every chunked task whose chunks are all done is published (docs/chunks.md: the
// render workers publish it themselves; this catches one killed between its two renames).
import { readdir } from 'node:fs/promises';
import type { Config } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { readJson, writeJson } from '../shared/json.js';
import { isHeartbeatName, type Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import { HeartbeatSchema } from '../shared/node-files.js';
import { sweepChunks } from '../shared/protocol/chunk-sweep.js';
import { recoverStaleClaims } from '../shared/protocol/recover.js';

export interface HealthReport {
  deadNodes: string[];
  recovered: string[];
  failed: string[];
  /** Chunked tasks whose join this check published to tasks/. */
  joins: string[];
}

/** Marks the nodes whose heartbeat went silent for more than health.nodeTimeoutMs as dead; returns their ids. */
export async function markDeadNodes(layout: Layout, config: Config, log: Logger, now = Date.now()): Promise<string[]> {
  const dead: string[] = [];
  for (const name of (await readdir(layout.nodes).catch(() => [] as string[])).filter(isHeartbeatName)) {
    const node = name.slice(0, -'.json'.length);
    const path = layout.heartbeat(node);
    try {
      const hb = await readJson(HeartbeatSchema, path, 'IO', `nodes/${name}`);
      if (hb.state === 'stopped' || hb.state === 'dead') continue;
      const silent = now - Date.parse(hb.updated_at);
      if (silent > config.health.nodeTimeoutMs) {
        await writeJson(HeartbeatSchema, path, { ...hb, state: 'dead', marked_dead_at: new Date(now).toISOString() });
        dead.push(hb.node);
        log.warn(`Node ${hb.node} is dead: no heartbeat for ${Math.round(silent / 1000)} s (health.nodeTimeoutMs ${config.health.nodeTimeoutMs})`);
      }
    } catch (err) {
      log.debug({ err }, `Unreadable heartbeat ${name}: ${errorMessage(err)}`);
    }
  }
  return dead;
}

export async function checkHealth(layout: Layout, config: Config, log: Logger, now = Date.now()): Promise<HealthReport> {
  const deadNodes = await markDeadNodes(layout, config, log, now);
  const { recovered, failed } = await recoverStaleClaims(layout, { maxAttempts: config.tasks.maxAttempts, leaseStaleMs: config.health.leaseStaleMs, log, now });
  const chunks = await sweepChunks(layout, log).catch((err: unknown) => {
    log.error({ err }, `Could not check chunks/: ${errorMessage(err)}`);
    return { joins: [], failed: [], retired: [] };
  });
  for (const id of chunks.joins) log.info({ task: id }, `Task ${id}: every chunk is done; its join is published to tasks/`);
  for (const id of chunks.retired) log.info({ task: id }, `Task ${id} is in output/: chunks/${id}/ moved to trash/chunks/`);
  return { deadNodes, recovered, failed: [...failed, ...chunks.failed], joins: chunks.joins };
}
