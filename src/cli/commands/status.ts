// clipmill status: the farm at a glance (src/shared/reports/status.ts), as text or JSON, once or
// refreshed until interrupted.
import { setTimeout as sleep } from 'node:timers/promises';
import { Layout } from '../../shared/layout.js';
import { statusReport, type StatusReport } from '../../shared/reports/status.js';
import { formatJobs } from './jobs.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, rootFrom, usageError, type Command } from '../common.js';

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
