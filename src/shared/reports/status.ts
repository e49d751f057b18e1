// The farm at a glance, read from the root (nothing is changed): counts per folder, the main
// worker, waiting voices, jobs, stuck raw files, claims, render nodes, the queue, narration,
// shorts and their providers, chunked tasks, recent failures and rejects. `clipmill status`
// prints it (src/cli/commands/status.ts), GET /api/v1/status serves it (src/server/).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ReasonFileSchema } from '../ingest-files.js';
import { readNodes, type NodeView } from '../heartbeats.js';
import { readJsonOrNull } from '../json.js';
import { isIgnoredName, Layout } from '../layout.js';
import { taskIds } from '../protocol/claim.js';
import { chunkedIds, chunkedStatus } from '../protocol/chunks.js';
import { TaskIndex } from '../protocol/queue.js';
import { failedNames } from '../protocol/retry.js';
import { MainWorkerStatusSchema, type MainWorkerStatus } from '../node-files.js';
import { ClaimSchema, ErrorFileSchema } from '../protocol/files.js';
import { TASK_FILES } from '../task.js';
import { jobsReport, type JobsReport } from './jobs.js';
import { narrationStatus, type NarrationStatus } from '../narration-discover.js';
import { readShortStates, shortProgress, type ShortState } from '../short-state.js';

async function walk(dir: string): Promise<{ path: string; mtimeMs: number }[]> {
  const out: { path: string; mtimeMs: number }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (isIgnoredName(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push({ path: p, mtimeMs: (await stat(p).catch(() => ({ mtimeMs: 0 }))).mtimeMs });
  }
  return out;
}

/**
 * error.json as status lists it. Lenient on purpose, unlike ErrorFileSchema: files written
 * before the catalog had classes lack `class`, the main worker's recovery writes none with
 * `encoder`, and a file may hold a field, a code or a stage that a later version dropped;
 * status must still list every failed task. The fields it has are checked for type; a corrupt
 * file shows as an unreadable one (the folder name, code "?").
 */
const ListedErrorSchema = ErrorFileSchema.partial().extend({ code: z.string().optional(), stage: z.string().optional() }).loose();

/** A render worker's heartbeat, and whether it is alive. */
export type NodeStatus = NodeView;

export interface StatusReport {
  root: string;
  at: string;
  counts: Record<string, number>;
  main_worker: { host: string; pid: number; updated_at: string | undefined; lock_fresh: boolean } | null;
  waiting: NonNullable<MainWorkerStatus['waiting']>;
  /** Job files and their variations (clipmill jobs). */
  jobs: JobsReport;
  /** Raw files the main worker gave up on for now (they kept failing for machine reasons). */
  stuck: NonNullable<MainWorkerStatus['stuck']>;
  processing: { task: string; node: string | null; pid: number | null; claimed_at: string | null }[];
  nodes: NodeStatus[];
  recent_rejects: { raw_path: string; code: string; message: string; at: string }[];
  recent_failures: { task: string; code: string; stage: string; message: string; at: string }[];
  /** The waiting tasks (tasks/) as render workers see them (shared/protocol/queue.ts): the next few in claim order, and how many wait for their backoff. */
  queue: { waiting: number; delayed: number; by_priority: Record<string, number>; next: { task: string; priority: number; not_before: string | null }[] };
  /** Text to speech: parts and chapters queued, voiced and failed; recordings without captions. */
  narration: NarrationStatus;
  /** Vertical shorts (shorts/<task id>.json): each one's stage, why it waits or how it failed. */
  shorts: ShortState[];
  /** The shorts pipeline's providers and their circuit breakers, as the main worker last wrote them. */
  providers: NonNullable<MainWorkerStatus['providers']>;
  /** Chunked tasks not finished (docs/chunks.md), one entry each. */
  chunked: ChunkedLine[];
}

/**
 * A chunked task in `clipmill status` and the API: `state` waiting (chunks rendering) or
 * joining (every chunk done; the join waits or renders) or failed (the join in trash/failed/);
 * `chunks_done` / `chunks_total` count the artifacts (video chunks and the audio) in
 * chunks/<id>/; `progress` (0 to 1) is chunks_done plus the render progress of the pending
 * chunks that live workers report, over chunks_total.
 */
export interface ChunkedLine {
  task: string;
  state: 'waiting' | 'joining' | 'failed';
  chunks_done: number;
  chunks_total: number;
  progress: number;
}

/** The unfinished chunked tasks, their progress aggregated from the heartbeats of the workers rendering their chunks. */
export async function chunkedLines(layout: Layout, nodes: readonly NodeStatus[]): Promise<ChunkedLine[]> {
  const rendering = new Map(nodes.filter((n) => n.alive && n.current?.stage === 'render').map((n) => [n.current!.task, n.current!.progress]));
  const out: ChunkedLine[] = [];
  for (const id of await chunkedIds(layout)) {
    const s = await chunkedStatus(layout, id);
    if (!s || s.state === 'done') continue;
    let sum = s.done;
    for (const cid of s.pending.values()) sum += rendering.get(cid) ?? 0;
    out.push({ task: id, state: s.state, chunks_done: s.done, chunks_total: s.total, progress: Math.round((sum / s.total) * 1000) / 1000 });
  }
  return out;
}

export async function statusReport(layout: Layout, recent = 10, nodeTimeoutMs = 30_000, narration = { fromStories: false }): Promise<StatusReport> {
  const raw = await walk(layout.raw);
  // Asset records and raw sidecars kept beside filed files (<file>.json) are not assets.
  const scanned = (await walk(layout.scanned)).filter((f) => !f.path.endsWith('.json'));
  const rel = (p: string) => layout.rel(p);
  const rejects = (await walk(layout.trashInvalid)).filter((f) => f.path.endsWith('.reason.json')).sort((a, b) => b.mtimeMs - a.mtimeMs);
  const failed = await failedNames(layout);
  const counts: Record<string, number> = {
    raw: raw.length,
    'scanned/video': scanned.filter((f) => /^scanned\/video\/[^/]+\/mp4_w/.test(rel(f.path))).length,
    'scanned/frame': scanned.filter((f) => /^scanned\/frame\/[^/]+\/mp4_w/.test(rel(f.path))).length,
    'scanned/music': scanned.filter((f) => /^scanned\/music\/[^/]+\/mp3\//.test(rel(f.path))).length,
    'scanned/voice': scanned.filter((f) => /^scanned\/story\/[^/]+\/[^/]+\/voice\/[^/]+$/.test(rel(f.path))).length,
    'scanned/image': scanned.filter((f) => /^scanned\/image\/[^/]+\/[^/]+$/.test(rel(f.path))).length,
    'scanned/text': scanned.filter((f) => /^scanned\/text\/[^/]+\/[^/]+$/.test(rel(f.path))).length,
    'scanned/narration': scanned.filter((f) => /^scanned\/narration\/[^/]+\/[^/]+\/[^/]+$/.test(rel(f.path))).length,
    'scanned/chunks': scanned.filter((f) => /\/chunk_\d+\.txt$/.test(f.path)).length,
    tasks: (await taskIds(layout.tasks)).length,
    processing: (await taskIds(layout.processing)).length,
    output: (await taskIds(layout.output)).length,
    'trash/invalid': rejects.length,
    'trash/failed': failed.length,
  };
  const main = await readJsonOrNull(MainWorkerStatusSchema, layout.mainWorkerStatus);
  const lock = await stat(layout.mainWorkerLock).catch(() => null);
  const processing = await Promise.all(
    (await taskIds(layout.processing)).map(async (task) => {
      const c = await readJsonOrNull(ClaimSchema, join(layout.processingTask(task), TASK_FILES.claim));
      return { task, node: c?.node ?? null, pid: c?.pid ?? null, claimed_at: c?.claimed_at ?? null };
    }),
  );
  const recentRejects = await Promise.all(
    rejects.slice(0, recent).map(async (f) => {
      const r = await readJsonOrNull(ReasonFileSchema, f.path);
      return { raw_path: r?.raw_path ?? rel(f.path), code: r?.code ?? '?', message: r?.message ?? '', at: r?.rejected_at ?? new Date(f.mtimeMs).toISOString() };
    }),
  );
  const failures = (
    await Promise.all(
      failed.map(async (name) => {
        const e = await readJsonOrNull(ListedErrorSchema, join(layout.trashFailed, name, 'error.json'));
        return { task: e?.task_id ?? name, code: e?.code ?? '?', stage: e?.stage ?? '?', message: e?.message ?? '', at: e?.failed_at ?? '' };
      }),
    )
  )
    .sort((a, b) => (a.at < b.at ? 1 : -1))
    .slice(0, recent);
  // The main worker's own rule (health.nodeTimeoutMs), shared with the HTTP API.
  const nodes: NodeStatus[] = await readNodes(layout, nodeTimeoutMs);
  const index = await new TaskIndex(layout, { rescanMs: Number.POSITIVE_INFINITY, watch: false }).open();
  const waiting = index.list();
  const now = Date.now();
  const byPriority: Record<string, number> = {};
  for (const e of waiting) byPriority[e.priority] = (byPriority[e.priority] ?? 0) + 1;
  const queue = {
    waiting: waiting.length,
    delayed: waiting.filter((e) => e.notBeforeMs > now).length,
    by_priority: byPriority,
    next: waiting.slice(0, recent).map((e) => ({ task: e.id, priority: e.priority, not_before: e.notBeforeMs > now ? new Date(e.notBeforeMs).toISOString() : null })),
  };
  return {
    nodes,
    queue,
    root: layout.root,
    at: new Date().toISOString(),
    counts,
    // proper-lockfile refreshes the lock's mtime every 10 s; it goes stale after 30 s.
    main_worker: main ? { host: main.host, pid: main.pid, updated_at: main.updated_at, lock_fresh: !!lock && Date.now() - lock.mtimeMs < 30_000 } : null,
    waiting: main?.waiting ?? [],
    jobs: await jobsReport(layout),
    stuck: main?.stuck ?? [],
    processing,
    recent_rejects: recentRejects,
    recent_failures: failures,
    narration: await narrationStatus(layout, narration),
    shorts: await Promise.all((await readShortStates(layout)).map((s) => shortProgress(layout, s))),
    providers: main?.providers ?? [],
    chunked: await chunkedLines(layout, nodes),
  };
}
