// Roots written by hand for the reports (src/shared/reports/) and the CLI commands that print
// them: a catalog of every asset kind, and job files with tasks in every state.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initRoot } from '../../../src/cli/commands/init.js';
import { AssetRecordSchema, type AssetRecord } from '../../../src/shared/assets.js';
import { writeJson } from '../../../src/shared/json.js';
import { Layout } from '../../../src/shared/layout.js';
import { tempDir } from '../../helpers.js';

export const assetId = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;
const rec = (over: Partial<AssetRecord> & Pick<AssetRecord, 'kind' | 'id' | 'category'>): AssetRecord => ({ schema_version: 1, raw_path: 'raw/x', filed_at: '2026-01-01T00:00:00Z', tags: [], ...over });

export async function assetsRoot(t: Parameters<typeof tempDir>[0]): Promise<Layout> {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const files: [string, number, AssetRecord][] = [
    [`scanned/video/cars/mp4_w160_h90/2.5_${assetId(1)}.mp4`, 1000, rec({ kind: 'video', id: assetId(1), category: 'cars', tags: ['spring', 'red car'] })],
    [`scanned/video/cars/mp4_w160_h90/3.0_${assetId(2)}.mp4`, 2000, rec({ kind: 'video', id: assetId(2), category: 'cars' })],
    [`scanned/music/upbeat/mp3/65.0_${assetId(3)}.mp3`, 3 * 1024 * 1024, rec({ kind: 'music', id: assetId(3), category: 'upbeat', tags: ['spring'] })],
    [`scanned/image/logos/64x32_${assetId(4)}.png`, 512, rec({ kind: 'image', id: assetId(4), category: 'logos' })],
    [`scanned/text/hooks/${assetId(5)}.csv`, 80, rec({ kind: 'text', id: assetId(5), category: 'hooks', texts: [{ text: 'عروض, "الربيع"', tags: ['spring'], line: 2 }, { text: '春', tags: [], line: 3 }] })],
    ['scanned/narration/cars/spring/part_0001_2.mp3', 4000, rec({ kind: 'narration', id: 'cars/spring/part_0001_2', category: 'cars', duration: 3.25, campaign: 'spring', part: 1, take: 2 })],
  ];
  for (const [rel, size, r] of files) {
    await mkdir(layout.abs(`${rel}/..`), { recursive: true });
    await writeFile(layout.abs(rel), Buffer.alloc(size));
    await writeJson(AssetRecordSchema, `${layout.abs(rel)}.json`, r);
  }
  return layout;
}

export const jobTaskId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const json = (v: unknown) => JSON.stringify(v);

export async function jobsRoot(t: Parameters<typeof tempDir>[0]) {
  const layout = new Layout(await tempDir(t));
  await mkdir(layout.raw, { recursive: true });
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'spring.json'), json({ variations: 3, sources: [{ category: 'promo' }] }));
  await writeFile(join(layout.scannedJobs, 'idle.json'), json({ variations: 2, sources: [{ category: 'none' }] }));
  const task = async (dir: string, n: number, variation: number, job = 'spring') => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'metadata.json'), json({ task_id: jobTaskId(n), job: { name: job, source_path: 'scanned/video/promo/a.mp4', variation } }));
  };
  await task(layout.outputTask(jobTaskId(1)), 1, 0);
  await task(layout.processingTask(jobTaskId(2)), 2, 1);
  await task(layout.failedTask(jobTaskId(3)), 3, 2);
  await task(layout.task(jobTaskId(4)), 4, 0, 'other');
  // A voice-over task: not a job's.
  await mkdir(layout.task(jobTaskId(5)), { recursive: true });
  await writeFile(join(layout.task(jobTaskId(5)), 'metadata.json'), json({ task_id: jobTaskId(5), voice_source: 'v.mp3', variation: 0 }));
  await mkdir(layout.nodes, { recursive: true });
  await writeFile(layout.mainWorkerStatus, json({ host: 'h', pid: 1, started_at: '2026-01-01T00:00:00Z', waiting_jobs: [{ job: 'idle', reason: 'sources[0] (category none) selects no footage in scanned/video/', since: '2026-01-01T00:00:00Z' }] }));
  await mkdir(join(layout.trashInvalid, 'job'), { recursive: true });
  await writeFile(join(layout.trashInvalid, 'job', 'bad.json.reason.json'), json({ code: 'JOB_INVALID', message: 'raw/job/bad.json: variatons: unknown key', raw_path: 'raw/job/bad.json', rejected_at: '2026-01-02T00:00:00Z', probe: null, details: {} }));
  return layout;
}
