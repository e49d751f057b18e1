// The render nodes as the API shows them: every heartbeat of nodes/ with whether it is alive
// (health.nodeTimeoutMs, the main worker's own rule), read from the tree on each call (a few
// small files, one per node).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonOrNull } from '../shared/json.js';
import { isHeartbeatName, type Layout } from '../shared/layout.js';
import { HeartbeatSchema, type HeartbeatFile } from '../shared/node-files.js';

export type NodeView = HeartbeatFile & { alive: boolean };

export async function readNodes(layout: Layout, nodeTimeoutMs: number, now = Date.now()): Promise<NodeView[]> {
  const out: NodeView[] = [];
  for (const name of (await readdir(layout.nodes).catch(() => [] as string[])).filter(isHeartbeatName).sort()) {
    const hb = await readJsonOrNull(HeartbeatSchema, join(layout.nodes, name));
    if (hb) out.push({ ...hb, alive: hb.state !== 'stopped' && hb.state !== 'dead' && now - Date.parse(hb.updated_at) < nodeTimeoutMs });
  }
  return out;
}

/** What each task being rendered is at now, from the heartbeats: task id -> stage, progress (0-1), node. */
export function progressByTask(nodes: readonly NodeView[]): Map<string, { stage: string; progress: number; node: string }> {
  const m = new Map<string, { stage: string; progress: number; node: string }>();
  for (const n of nodes) if (n.alive && n.current) m.set(n.current.task, { stage: n.current.stage, progress: n.current.progress, node: n.node });
  return m;
}
