// GET /events: server-sent events, so that pages update without polling. One look at the tree
// per `everyMs` for all the clients together (the task list's watched changes, the heartbeats),
// and only while someone listens; an event only for what changed:
//   event: task   data: a TaskSummary with `progress` (a task that appeared, moved or advanced)
//   event: nodes  data: every node (when a heartbeat changed)
// A keep-alive event after 15 s without any keeps proxies from closing an idle stream.
// A client that does not read (more than MAX_BUFFERED bytes waiting in its socket) is dropped,
// and every stream opened with a token ends once the token is rotated (the page logs in again).
import type { ServerResponse } from 'node:http';
import type { Layout } from '../shared/layout.js';
import { progressByTask, readNodes } from './nodes.js';
import type { TaskList } from './task-list.js';

/** Bytes waiting to be sent to one client beyond which it is dropped (a stalled reader). */
export const MAX_BUFFERED = 1024 * 1024;

export class EventHub {
  /** Every listener, with the token it was let in with (null: not checked). */
  private readonly clients = new Map<ServerResponse, string | null>();
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
    private readonly tokens: { current(): Promise<{ token: string }> } | null = null,
  ) {}

  /** A new listener; `token`: the token it was let in with (its stream ends when that is rotated). */
  add(res: ServerResponse, token: string | null = null): void {
    // Gone before it was added (the client left during authentication): nothing to hold.
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no', 'X-Content-Type-Options': 'nosniff' });
    res.write('retry: 2000\n\n');
    this.clients.set(res, token);
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
    for (const c of [...this.clients.keys()]) {
      // A reader that stopped reading: drop it rather than buffer without end (it reconnects and lists again).
      if ((c.writableLength ?? 0) > MAX_BUFFERED) {
        this.drop(c);
        continue;
      }
      c.write(line);
    }
    this.lastSent = Date.now();
  }

  private drop(c: ServerResponse): void {
    this.clients.delete(c);
    if (typeof c.destroy === 'function') c.destroy();
    else c.end();
    if (!this.clients.size) this.stop();
  }

  /** One look at the tree (the timer's; tests call it themselves). */
  tick(): Promise<void> {
    // One look at a time: a caller during one waits for it.
    this.running ??= this.look().finally(() => (this.running = null));
    return this.running;
  }

  private async look(): Promise<void> {
    try {
      if (this.tokens) {
        const now = (await this.tokens.current()).token;
        for (const [c, token] of [...this.clients]) {
          if (token !== null && token !== now) {
            // Rotated: this stream's credentials are no longer valid.
            this.clients.delete(c);
            c.end();
          }
        }
        if (!this.clients.size) return this.stop();
      }
      await this.tasks.refresh();
      const nodes = await readNodes(this.layout, this.nodeTimeoutMs);
      const progress = progressByTask(nodes);
      const nodesNow = JSON.stringify(nodes);
      if (nodesNow !== this.nodesSeen) {
        this.nodesSeen = nodesNow;
        this.send('nodes', nodes);
      }
      const ids = new Set<string>();
      for (const t of this.tasks.all()) {
        ids.add(t.id);
        const p = t.state === 'rendering' ? progress.get(t.id) ?? null : null;
        const key = `${t.state}|${p?.stage ?? ''}|${p ? p.progress.toFixed(3) : ''}`;
        if (this.seen.get(t.id) === key) continue;
        this.seen.set(t.id, key);
        if (this.primed) this.send('task', { ...t, progress: p });
      }
      // Tasks gone from the tree: nothing more to remember of them.
      for (const id of [...this.seen.keys()]) if (!ids.has(id)) this.seen.delete(id);
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
    for (const c of this.clients.keys()) c.end();
    this.clients.clear();
  }
}
