// One claim with 10,000 tasks waiting against one with 10, side by side in one run (the queue
// issue's target: at most 3x). Each root has its tasks (metadata.json with a priority and a
// created_at); a render worker's index (shared/protocol/queue.ts) is opened once, as a worker
// does at start, then each measured claim takes the best task and hands it straight back (so
// the queue keeps its depth; the hand-back's watch event is read by the next claim, as in a
// running farm). Also shown, for scale: the claim without an index (tasks/ listed and every
// metadata.json read at each claim).
// Run: node scripts/setup.mjs --bench bench/claim.ts
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initRoot } from '../src/cli/commands/init.js';
import { stableUuid } from '../src/shared/ids.js';
import { Layout } from '../src/shared/layout.js';
import { claimNext } from '../src/shared/protocol/claim.js';
import { TaskIndex } from '../src/shared/protocol/queue.js';

const DEEP = Number(process.env.BENCH_TASKS ?? 10_000);
const SHALLOW = 10;
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 200);

async function rootWith(work: string, n: number): Promise<Layout> {
  const root = join(work, `root-${n}`);
  await initRoot(root);
  const layout = new Layout(root);
  for (let i = 0; i < n; i++) {
    const id = stableUuid('bench-claim', String(i));
    await mkdir(layout.task(id));
    // What the index reads; the rest of metadata.json does not matter to a claim.
    await writeFile(join(layout.task(id), 'metadata.json'), JSON.stringify({ task_id: id, priority: i % 7, created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), attempts: 0 }));
  }
  return layout;
}

/** Median and 90th percentile of `claims` claim+hand-back cycles, timing the claim alone (µs). */
async function measure(layout: Layout, index: TaskIndex | undefined, claims: number): Promise<{ median: number; p90: number }> {
  const times: number[] = [];
  for (let i = 0; i < claims; i++) {
    const t = performance.now();
    const id = await claimNext(layout, 'bench', undefined, index);
    times.push((performance.now() - t) * 1000);
    if (!id) throw new Error('no task claimed');
    await rm(join(layout.processingTask(id), 'claim.json'));
    await rename(layout.processingTask(id), layout.task(id));
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]! };
}

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-claim-'));
try {
  const deep = await rootWith(work, DEEP);
  const shallow = await rootWith(work, SHALLOW);
  let t = performance.now();
  const deepIndex = await new TaskIndex(deep, { rescanMs: 60_000 }).open();
  const openMs = performance.now() - t;
  const shallowIndex = await new TaskIndex(shallow, { rescanMs: 60_000 }).open();
  // Warm-up (JIT, file system caches), then the two alternately, so that machine noise hits both.
  await measure(deep, deepIndex, 20);
  await measure(shallow, shallowIndex, 20);
  const rounds = 4;
  const d: { median: number; p90: number }[] = [];
  const s: { median: number; p90: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    d.push(await measure(deep, deepIndex, CLAIMS / rounds));
    s.push(await measure(shallow, shallowIndex, CLAIMS / rounds));
  }
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const dm = med(d.map((x) => x.median));
  const sm = med(s.map((x) => x.median));
  t = performance.now();
  await measure(deep, undefined, 3);
  const listedMs = (performance.now() - t) / 3;
  deepIndex.close();
  shallowIndex.close();
  console.log(`claim benchmark: ${CLAIMS} claims each, with ${DEEP} and with ${SHALLOW} tasks waiting (index opened once: ${openMs.toFixed(0)} ms for ${DEEP} tasks)`);
  console.log(`claim, ${String(DEEP).padStart(6)} waiting  median ${dm.toFixed(0).padStart(6)} µs  p90 ${med(d.map((x) => x.p90)).toFixed(0).padStart(6)} µs`);
  console.log(`claim, ${String(SHALLOW).padStart(6)} waiting  median ${sm.toFixed(0).padStart(6)} µs  p90 ${med(s.map((x) => x.p90)).toFixed(0).padStart(6)} µs`);
  console.log(`ratio ${DEEP}/${SHALLOW}: ${(dm / sm).toFixed(2)}x (target: at most 3x)`);
  console.log(`for scale, a claim without the index (tasks/ listed, every metadata.json read) with ${DEEP} waiting: ${listedMs.toFixed(0)} ms`);
} finally {
  await rm(work, { recursive: true, force: true });
}
