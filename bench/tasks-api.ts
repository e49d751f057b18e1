// GET /api/v1/tasks (the first page) with 10,000 tasks against 100, side by side in one run
// (the dashboard issue's target: at most 3x). Each root has its tasks spread over tasks/,
// output/ and trash/failed/; the server is built once per root, as `clipmill serve` starts,
// and its task list (src/server/task-list.ts) is kept current by watches and background
// rescans, so a request reads no folder. Requests go through fastify.inject (no sockets), the
// two roots alternately so that machine noise hits both. Also shown, for scale: the same page
// computed by walking the three folders and reading every metadata.json, per request.
// Run: node scripts/setup.mjs --bench bench/tasks-api.ts
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initRoot } from '../src/cli/commands/init.js';
import { buildServer } from '../src/server/app.js';
import { stableUuid } from '../src/shared/ids.js';
import { Layout } from '../src/shared/layout.js';
import { readTokenFile } from '../src/shared/server-token.js';

const DEEP = Number(process.env.BENCH_TASKS ?? 10_000);
const SHALLOW = 100;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);

async function rootWith(work: string, n: number): Promise<Layout> {
  const root = join(work, `root-${n}`);
  await initRoot(root);
  const layout = new Layout(root);
  for (let i = 0; i < n; i++) {
    const id = stableUuid('bench-tasks-api', String(i));
    const dir = i % 3 === 0 ? layout.task(id) : i % 3 === 1 ? layout.outputTask(id) : layout.failedTask(id);
    await mkdir(dir);
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ task_id: id, priority: i % 7, category: 'bench', created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), job: { name: `job-${i % 20}`, variation: i % 5, source_path: 'scanned/video/x.mp4' } }));
  }
  return layout;
}

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-tasks-api-'));
try {
  const layouts = { deep: await rootWith(work, DEEP), shallow: await rootWith(work, SHALLOW) };
  let t = performance.now();
  const deep = await buildServer({ layout: layouts.deep, maxUploadBytes: 1, nodeTimeoutMs: 30_000, rescanMs: 60_000 });
  const openMs = performance.now() - t;
  const shallow = await buildServer({ layout: layouts.shallow, maxUploadBytes: 1, nodeTimeoutMs: 30_000, rescanMs: 60_000 });
  const headers = async (l: Layout) => ({ authorization: `Bearer ${(await readTokenFile(l)).token}` });
  const h = { deep: await headers(layouts.deep), shallow: await headers(layouts.shallow) };
  /** Median request time (µs) of `n` first-page requests. */
  const measure = async (which: 'deep' | 'shallow', n: number): Promise<number> => {
    const app = which === 'deep' ? deep : shallow;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      const r = await app.inject({ url: '/api/v1/tasks?limit=50', headers: h[which] });
      times.push((performance.now() - s) * 1000);
      if (r.statusCode !== 200 || (r.json() as { tasks: unknown[] }).tasks.length !== 50) throw new Error(`GET /tasks: ${r.statusCode} ${r.body.slice(0, 200)}`);
    }
    return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
  };
  await measure('deep', 30);
  await measure('shallow', 30);
  const rounds = 4;
  const d: number[] = [];
  const s: number[] = [];
  for (let r = 0; r < rounds; r++) {
    d.push(await measure('deep', REQUESTS / rounds));
    s.push(await measure('shallow', REQUESTS / rounds));
  }
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const dm = med(d);
  const sm = med(s);
  // For scale: the first page by walking the tree and reading every metadata.json.
  t = performance.now();
  const all: { created_at: string }[] = [];
  for (const dir of [layouts.deep.tasks, layouts.deep.output, layouts.deep.trashFailed]) {
    for (const name of (await readdir(dir)).filter((x) => !x.startsWith('.'))) all.push(JSON.parse(await readFile(join(dir, name, 'metadata.json'), 'utf8')) as { created_at: string });
  }
  all.sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).slice(0, 50);
  const walkMs = performance.now() - t;
  await deep.close();
  await shallow.close();
  console.log(`GET /api/v1/tasks (first page of 50) benchmark: ${REQUESTS} requests each, with ${DEEP} and with ${SHALLOW} tasks (server start with ${DEEP} tasks: ${openMs.toFixed(0)} ms)`);
  console.log(`GET /tasks, ${String(DEEP).padStart(6)} tasks  median ${dm.toFixed(0).padStart(6)} µs`);
  console.log(`GET /tasks, ${String(SHALLOW).padStart(6)} tasks  median ${sm.toFixed(0).padStart(6)} µs`);
  console.log(`ratio ${DEEP}/${SHALLOW}: ${(dm / sm).toFixed(2)}x (target: at most 3x)`);
  console.log(`for scale, the same page by walking the tree (every metadata.json read) with ${DEEP} tasks: ${walkMs.toFixed(0)} ms`);
} finally {
  await rm(work, { recursive: true, force: true });
}
