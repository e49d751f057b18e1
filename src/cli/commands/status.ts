import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ReasonFileSchema } from '../../shared/ingest-files.js';
import { readNodes, type NodeView } from '../../shared/heartbeats.js';
import { readJsonOrNull } from '../../shared/json.js';
import { isIgnoredName, Layout } from '../../shared/layout.js';
import { taskIds } from '../../shared/protocol/claim.js';
import { chunkedIds, chunkedStatus } from '../../shared/protocol/chunks.js';
import { TaskIndex } from '../../shared/protocol/queue.js';
import { failedNames } from '../../shared/protocol/retry.js';
import { MainWorkerStatusSchema, type MainWorkerStatus } from '../../shared/node-files.js';
import { ClaimSchema, ErrorFileSchema } from '../../shared/protocol/files.js';
import { TASK_FILES } from '../../shared/task.js';
import { formatJobs, jobsReport, type JobsReport } from './jobs.js';
import { narrationStatus, type NarrationStatus } from '../../main-worker/narrate/discover.js';
import { readShortStates, shortProgress, type ShortState } from '../../shared/short-state.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, rootFrom, usageError, type Command } from '../common.js';

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

function formatText(r: StatusReport): string {
  const lines: string[] = [`clipmill status of ${r.root} at ${r.at}`, ''];
  lines.push(Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join('  '));
  lines.push('');
  const m = r.main_worker;
  lines.push(m ? `main worker: pid ${m.pid} on ${m.host}, ${m.lock_fresh ? 'running' : 'NOT running (its lock is stale or gone)'}, last planning pass ${m.updated_at ?? 'never'}` : 'main worker: none has run on this root');
  lines.push(r.waiting.length ? `waiting voices (${r.waiting.length}):` : 'waiting voices: none');
  for (const w of r.waiting) lines.push(`  ${w.voice}: ${w.reason} (since ${w.since})`);
  if (r.jobs.jobs.length || r.jobs.rejected.length) lines.push(...formatJobs(r.jobs));
  if (r.stuck.length) lines.push(`raw files given up on until they change (${r.stuck.length}):`);
  for (const f of r.stuck) lines.push(`  ${f.file}: ${f.code}: ${f.message} (${f.tries} tries, since ${f.since})`);
  lines.push(r.nodes.length ? `render nodes (${r.nodes.length}):` : 'render nodes: none has reported');
  for (const n of r.nodes) {
    const doing = n.current ? `${n.current.stage} ${n.current.task}${n.current.stage === 'render' ? ` ${Math.round(n.current.progress * 100)}%` : ''}` : n.state;
    const m = n.metrics;
    const breaker = n.breaker && n.breaker !== 'closed' ? `, breaker ${n.breaker.toUpperCase()}` : '';
    lines.push(`  ${n.node}: ${n.alive ? 'alive' : `DEAD or stopped (last heartbeat ${n.updated_at})`}${breaker}, ${doing}, ${n.encoder}, done ${n.counters.done ?? 0} failed ${n.counters.failed ?? 0} requeued ${n.counters.requeued ?? 0} abandoned ${n.counters.abandoned ?? 0}${m ? `, render_utilization ${m.render_utilization}% avg_render_time ${m.avg_render_time ?? '-'} s task_throughput ${m.task_throughput}/h io_overhead ${m.io_overhead ?? '-'} s` : ''}`);
  }
  const q = r.queue;
  lines.push(q.waiting ? `queue: ${q.waiting} waiting (${q.delayed} in backoff); by priority: ${Object.entries(q.by_priority).sort((a, b) => Number(b[0]) - Number(a[0])).map(([p, n]) => `${p}: ${n}`).join(', ')}` : 'queue: empty');
  for (const e of q.next) lines.push(`  ${e.task} priority ${e.priority}${e.not_before ? `, not before ${e.not_before}` : ''}`);
  if (r.chunked.length) lines.push(`chunked tasks (${r.chunked.length}):`);
  for (const c of r.chunked) lines.push(`  ${c.task}: chunks ${c.chunks_done}/${c.chunks_total} done, ${Math.round(c.progress * 100)}%, ${c.state === 'waiting' ? 'rendering chunks' : c.state === 'joining' ? 'joining' : 'join FAILED (trash/failed/)'}`);
  lines.push(r.processing.length ? `processing (${r.processing.length}):` : 'processing: none');
  for (const p of r.processing) lines.push(`  ${p.task}: ${p.node ? `claimed by ${p.node} pid ${p.pid} at ${p.claimed_at}` : 'no claim.json'}`);
  lines.push(r.recent_failures.length ? 'recent failed tasks:' : 'failed tasks: none');
  for (const f of r.recent_failures) lines.push(`  ${f.task} at ${f.at}: ${f.code} (${f.stage}): ${f.message}`);
  const n = r.narration;
  lines.push(`narration: ${n.queued} queued, ${n.done} voiced, ${n.failed} failed (retried at the main worker's next start)${n.uncaptioned ? `; ${n.uncaptioned} recording(s) without a transcript: no captions` : ''}`);
  for (const p of r.providers) lines.push(`shorts provider ${p.provider}: breaker ${p.state === 'closed' ? 'closed' : p.state.toUpperCase()}${p.failures ? `, ${p.failures} failure(s) in a row` : ''}${p.reopens_at ? `, left alone until ${p.reopens_at}` : ''}`);
  if (r.shorts.length) lines.push(`shorts (${r.shorts.length}):`);
  for (const s of r.shorts) {
    const why = s.stage === 'failed' && s.failed ? `: failed while ${s.failed.stage}: ${s.failed.code}: ${s.failed.message}` : s.waiting ? `, waiting: ${s.waiting}` : '';
    lines.push(`  ${s.key}: ${s.stage}${why}${s.stage === 'completed' ? ` (output/${s.task_id}/final.mp4)` : s.stage === 'compiling' ? ` (task ${s.task_id})` : ''}${s.warnings?.length ? `; warnings: ${s.warnings.join('; ')}` : ''}`);
  }
  lines.push(r.recent_rejects.length ? 'recent rejected files:' : 'rejected files: none');
  for (const f of r.recent_rejects) lines.push(`  ${f.raw_path} at ${f.at}: ${f.code}: ${f.message}`);
  return `${lines.join('\n')}\n`;
}

export const status: Command = {
  name: 'status',
  summary: 'what the farm holds and does: counts, waiting voices, jobs, claims, failures',
  usage: 'clipmill status --root <dir> [--json] [--watch [--interval <s>]]',
  help: `Reads the root (nothing is changed): files per folder, the main worker and whether it runs,
the voices waiting for footage or music and why, the job files with their variations (as
clipmill jobs lists them), narration (parts and chapters queued, voiced and failed; recordings
without captions), the render nodes (their circuit breaker when it is open), the queue
(waiting tasks by priority, the next ones in claim order, those in backoff), the tasks in
processing/ and who claimed them, chunked tasks (one line each: chunks done / total and the
aggregated progress), the vertical shorts and their stages (uploaded, transcribing, planning,
generating, compiling, completed, failed with the stage and the reason), and the latest failed
tasks and rejected files with their reasons.

Options:
  --json              print one JSON object instead of text (one per refresh with --watch)
  --watch             refresh until interrupted (Ctrl-C)
  --interval <s>      seconds between refreshes with --watch (default 2)
${COMMON_HELP}`,
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' }, watch: { type: 'boolean' }, interval: { type: 'string' } },
  async run(args, io) {
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const config = configFrom(args, io.env);
    const interval = Number(args.values.interval ?? 2);
    if (!(interval >= 0.2)) throw usageError(`--interval must be a number of seconds >= 0.2, got ${JSON.stringify(args.values.interval)}`);
    for (;;) {
      const report = await statusReport(layout, 10, config.health.nodeTimeoutMs, { fromStories: config.narration.fromStories });
      const text = args.values.json ? `${JSON.stringify(report, args.values.watch ? undefined : null, args.values.watch ? undefined : 2)}\n` : formatText(report);
      // Clear the terminal between refreshes, unless JSON lines are being streamed.
      io.out.write(args.values.watch && !args.values.json ? `\x1b[2J\x1b[H${text}` : text);
      if (!args.values.watch || io.signal.aborted) return 0;
      await sleep(interval * 1000, undefined, { signal: io.signal }).catch(() => {});
      if (io.signal.aborted) return 0;
    }
  },
};
