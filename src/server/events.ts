// GET /events: server-sent events, so that pages update without polling. One look at the tree
// per `everyMs` for all the clients together (the task list's watched changes, the heartbeats),
// and only while someone listens; an event only for what changed:
//   event: task   data: a TaskSummary with `progress` (a task that appeared, moved or advanced)
//   event: nodes  data: every node (when a heartbeat changed)
// A keep-alive event after 15 s without any keeps proxies from closing an idle stream.
import type { ServerResponse } from 'node:http';
import type { Layout } from '../shared/layout.js';
import { progressByTask, readNodes } from './nodes.js';
import type { TaskList } from './task-list.js';

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private lastSent = Date.now();
  private running: Promise<void> | null = null;
  /** The last state sent of each task (state + stage + progress), and of the nodes. */
  private seen = new Map<string, string>();
  private nodesSeen = '';
  private primed = false;

  constructor(
    private readonly layout: Layout,
    private readonly tasks: TaskList,
    private readonly nodeTimeoutMs: number,
    private readonly everyMs: number,
  ) {}

  add(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no', 'X-Content-Type-Options': 'nosniff' });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    // Every new listener gets the nodes at its first tick.
    this.nodesSeen = '';
    res.on('close', () => {
      this.clients.delete(res);
      if (!this.clients.size) this.stop();
    });
    if (!this.timer) {
      // The first tick only learns where every task is (a page lists them with GET /tasks once
      // its stream is open); the nodes are sent to every new listener.
      this.seen.clear();
      this.primed = false;
      this.nodesSeen = '';
      this.timer = setInterval(() => void this.tick(), this.everyMs);
      this.timer.unref();
      void this.tick();
    }
  }

  private send(event: string, data: unknown): void {
    const line = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(line);
    this.lastSent = Date.now();
  }

  /** One look at the tree (the timer's; tests call it themselves). */
  tick(): Promise<void> {
    // One look at a time: a caller during one waits for it.
    this.running ??= this.look().finally(() => (this.running = null));
    return this.running;
  }

  private async look(): Promise<void> {
    try {
      await this.tasks.refresh();
      const nodes = await readNodes(this.layout, this.nodeTimeoutMs);
      const progress = progressByTask(nodes);
      const nodesNow = JSON.stringify(nodes);
      if (nodesNow !== this.nodesSeen) {
        this.nodesSeen = nodesNow;
        this.send('nodes', nodes);
      }
      for (const t of this.tasks.all()) {
        const p = t.state === 'rendering' ? progress.get(t.id) ?? null : null;
        const key = `${t.state}|${p?.stage ?? ''}|${p ? p.progress.toFixed(3) : ''}`;
        if (this.seen.get(t.id) === key) continue;
        this.seen.set(t.id, key);
        if (this.primed) this.send('task', { ...t, progress: p });
      }
      this.primed = true;
      if (Date.now() - this.lastSent >= 15_000) this.send('keep-alive', {});
    } catch {
      // the next tick tries again
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    this.stop();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
