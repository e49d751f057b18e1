// The render nodes as the API shows them: every heartbeat of nodes/ with whether it is alive
// (src/shared/heartbeats.ts, shared with clipmill status), read from the tree on each call (a
// few small files, one per node), and what each task being rendered is at.
import type { NodeView } from '../shared/heartbeats.js';

export { readNodes, type NodeView } from '../shared/heartbeats.js';

/** What each task being rendered is at now, from the heartbeats: task id -> stage, progress (0-1), node. */
export function progressByTask(nodes: readonly NodeView[]): Map<string, { stage: string; progress: number; node: string }> {
  const m = new Map<string, { stage: string; progress: number; node: string }>();
  for (const n of nodes) if (n.alive && n.current) m.set(n.current.task, { stage: n.current.stage, progress: n.current.progress, node: n.node });
  return m;
}
