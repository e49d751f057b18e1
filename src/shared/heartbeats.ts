// The render nodes' heartbeats (nodes/<node>.json) with whether each is alive, by the main
// worker's own rule (health.nodeTimeoutMs; a stopped or dead worker is not alive): read by
// `clipmill status` and by the HTTP API, so that both call the same nodes dead.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonOrNull } from './json.js';
import { isHeartbeatName, type Layout } from './layout.js';
import { HeartbeatSchema, type HeartbeatFile } from './node-files.js';

export type NodeView = HeartbeatFile & {
  /** A heartbeat newer than health.nodeTimeoutMs; a stopped or dead worker is not alive. */
  alive: boolean;
};

/** Whether a heartbeat says its node is alive at `now`. */
export function heartbeatAlive(hb: HeartbeatFile, nodeTimeoutMs: number, now = Date.now()): boolean {
  return hb.state !== 'stopped' && hb.state !== 'dead' && now - Date.parse(hb.updated_at) < nodeTimeoutMs;
}

/** Every heartbeat of nodes/, sorted by file name; one being rewritten is renamed in whole, a corrupt one is skipped. */
export async function readNodes(layout: Layout, nodeTimeoutMs: number, now = Date.now()): Promise<NodeView[]> {
  const out: NodeView[] = [];
  for (const name of (await readdir(layout.nodes).catch(() => [] as string[])).filter(isHeartbeatName).sort()) {
    const hb = await readJsonOrNull(HeartbeatSchema, join(layout.nodes, name));
    if (hb) out.push({ ...hb, alive: heartbeatAlive(hb, nodeTimeoutMs, now) });
  }
  return out;
}
