// Planning 1,000 tasks over 10,000 clips, side by side in one run:
//   catalog      the main worker's way: scanned/ read once into a Catalog, then planTask per voice
//   list-tree    the naive way: list the category's folders again for every voice, then planTask
//   publish      writing the 1,000 task folders (metadata.json, links, ffconcat list), for scale
// Run: npm run bench (or node scripts/setup.mjs --bench bench/plan.ts)
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initRoot } from '../src/cli/commands/init.js';
import { Catalog, type CategoryCatalog } from '../src/shared/catalog.js';
import { planTask } from '../src/main-worker/plan-task.js';
import { stableUuid } from '../src/shared/ids.js';
import { taskIdFor, writeTask } from '../src/main-worker/write-task.js';
import { loadConfig } from '../src/shared/config.js';
import { Layout } from '../src/shared/layout.js';
import { createRng } from '../src/shared/rng.js';

const CLIPS = Number(process.env.BENCH_CLIPS ?? 10_000);
const VOICES = Number(process.env.BENCH_VOICES ?? 1_000);
const CATEGORIES = 10;
const CLASSES = ['mp4_w1920_h1080', 'mp4_w1280_h720', 'mp4_w3840_h2160', 'mp4_w1080_h1920'];

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-plan-'));
try {
  const root = join(work, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  const rng = createRng(1);
  for (let c = 0; c < CATEGORIES; c++) {
    for (const cls of CLASSES) await mkdir(join(layout.scanned, 'video', `cat${c}`, cls), { recursive: true });
    await mkdir(layout.scannedMusicDir(`cat${c}`), { recursive: true });
    for (let m = 0; m < 20; m++) await writeFile(join(layout.scannedMusicDir(`cat${c}`), `${(60 + m * 10).toFixed(1)}_${stableUuid('m', String(c), String(m))}.mp3`), '');
  }
  for (let i = 0; i < CLIPS; i++) {
    const cls = CLASSES[i % CLASSES.length]!;
    await writeFile(join(layout.scanned, 'video', `cat${i % CATEGORIES}`, cls, `${(2 + Math.floor(rng() * 200) / 10).toFixed(1)}_${stableUuid('c', String(i))}.mp4`), '');
  }
  const voices = Array.from({ length: VOICES }, (_, i) => ({ path: `scanned/story/cat${i % CATEGORIES}/story${i}/voice/chapter_0001.mp3`, category: `cat${i % CATEGORIES}`, story: `story${i}`, name: 'chapter_0001.mp3', tags: [] as string[], duration: 30 + (i % 300) }));
  const rules = { width: 1920, height: 1080, classFallback: 'any' as const };

  let t = performance.now();
  const catalog = await Catalog.load(layout);
  const loadMs = performance.now() - t;
  t = performance.now();
  const plans = voices.map((v, i) => planTask(v, catalog.category(v.category), rules, createRng(i)));
  const catalogMs = performance.now() - t;

  async function listCategory(category: string): Promise<CategoryCatalog> {
    const one = new Catalog();
    for (const cls of await readdir(join(layout.scanned, 'video', category))) for (const n of await readdir(join(layout.scanned, 'video', category, cls))) one.add(`scanned/video/${category}/${cls}/${n}`);
    for (const n of await readdir(layout.scannedMusicDir(category))) one.add(`scanned/music/${category}/mp3/${n}`);
    return one.category(category);
  }
  t = performance.now();
  for (const [i, v] of voices.entries()) planTask(v, await listCategory(v.category), rules, createRng(i));
  const listMs = performance.now() - t;

  const config = loadConfig({ env: {}, overrides: { render: { resolution: '1920x1080' } } });
  t = performance.now();
  for (const [i, v] of voices.entries()) {
    const p = plans[i]!;
    if (!p.ok) throw new Error(p.waiting);
    await writeTask(layout, { id: taskIdFor(v.path, 0), voice: v, voiceDuration: v.duration, variation: 0, seed: i, plan: p.plan, logo: null }, config);
  }
  const publishMs = performance.now() - t;

  console.log(`planning benchmark: ${VOICES} voices, ${CLIPS} clips in ${CATEGORIES} categories x ${CLASSES.length} classes`);
  console.log(`catalog load (once)   ${loadMs.toFixed(0).padStart(7)} ms`);
  console.log(`plan with catalog     ${catalogMs.toFixed(0).padStart(7)} ms  ${((VOICES / catalogMs) * 1000).toFixed(0).padStart(7)} plans/s`);
  console.log(`plan listing the tree ${listMs.toFixed(0).padStart(7)} ms  ${((VOICES / listMs) * 1000).toFixed(0).padStart(7)} plans/s`);
  console.log(`ratio list-tree/catalog: ${(listMs / catalogMs).toFixed(1)}x (catalog including its one load: ${(listMs / (catalogMs + loadMs)).toFixed(1)}x)`);
  console.log(`publish task folders  ${publishMs.toFixed(0).padStart(7)} ms  ${((VOICES / publishMs) * 1000).toFixed(0).padStart(7)} tasks/s (metadata.json, links, ffconcat list, fsyncs)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
