// `clipmill assets`: the catalog of scanned/ listed with sizes and tags, filtered by kind,
// category and tags; text and JSON. In-process on a root written by hand (names and records).
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { initRoot } from '../../../src/cli/commands/init.js';
import type { ListedAsset } from '../../../src/cli/commands/assets.js';
import { AssetRecordSchema, type AssetRecord } from '../../../src/shared/assets.js';
import { writeJson } from '../../../src/shared/json.js';
import { Layout } from '../../../src/shared/layout.js';
import { tempDir } from '../../helpers.js';
import { runInProcess } from '../in-process.js';

const U = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;
const rec = (over: Partial<AssetRecord> & Pick<AssetRecord, 'kind' | 'id' | 'category'>): AssetRecord => ({ schema_version: 1, raw_path: 'raw/x', filed_at: '2026-01-01T00:00:00Z', tags: [], ...over });

async function farm(t: Parameters<typeof tempDir>[0]): Promise<Layout> {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const files: [string, number, AssetRecord][] = [
    [`scanned/video/cars/mp4_w160_h90/2.5_${U(1)}.mp4`, 1000, rec({ kind: 'video', id: U(1), category: 'cars', tags: ['spring', 'red car'] })],
    [`scanned/video/cars/mp4_w160_h90/3.0_${U(2)}.mp4`, 2000, rec({ kind: 'video', id: U(2), category: 'cars' })],
    [`scanned/music/upbeat/mp3/65.0_${U(3)}.mp3`, 3 * 1024 * 1024, rec({ kind: 'music', id: U(3), category: 'upbeat', tags: ['spring'] })],
    [`scanned/image/logos/64x32_${U(4)}.png`, 512, rec({ kind: 'image', id: U(4), category: 'logos' })],
    [`scanned/text/hooks/${U(5)}.csv`, 80, rec({ kind: 'text', id: U(5), category: 'hooks', texts: [{ text: 'عروض, "الربيع"', tags: ['spring'], line: 2 }, { text: '春', tags: [], line: 3 }] })],
    ['scanned/narration/cars/spring/part_0001_2.mp3', 4000, rec({ kind: 'narration', id: 'cars/spring/part_0001_2', category: 'cars', duration: 3.25, campaign: 'spring', part: 1, take: 2 })],
  ];
  for (const [rel, size, r] of files) {
    await mkdir(layout.abs(`${rel}/..`), { recursive: true });
    await writeFile(layout.abs(rel), Buffer.alloc(size));
    await writeJson(AssetRecordSchema, `${layout.abs(rel)}.json`, r);
  }
  return layout;
}

test('assets --json: every asset with kind, category, id, duration, size (bytes) and tags; filters', async (t) => {
  const layout = await farm(t);
  const all = await runInProcess(['assets', '--root', layout.root, '--json']);
  assert.equal(all.exitCode, 0, all.stderr);
  const list = JSON.parse(all.stdout) as ListedAsset[];
  assert.deepEqual(list.map((a) => [a.kind, a.category, a.id, a.duration, a.size, a.tags]), [
    ['video', 'cars', U(1), 2.5, 1000, ['spring', 'red car']],
    ['video', 'cars', U(2), 3, 2000, []],
    ['music', 'upbeat', U(3), 65, 3 * 1024 * 1024, ['spring']],
    ['image', 'logos', U(4), null, 512, []],
    ['text', 'hooks', `${U(5)}#2`, null, 80, ['spring']],
    ['text', 'hooks', `${U(5)}#3`, null, 80, []],
    ['narration', 'cars', 'cars/spring/part_0001_2', 3.25, 4000, []],
  ]);
  assert.equal(list[4]!.text, 'عروض, "الربيع"');
  const pick = async (...args: string[]) => (JSON.parse((await runInProcess(['assets', '--root', layout.root, '--json', ...args])).stdout) as ListedAsset[]).map((a) => a.id);
  assert.deepEqual(await pick('--kind', 'video'), [U(1), U(2)]);
  assert.deepEqual(await pick('--category', 'cars'), [U(1), U(2), 'cars/spring/part_0001_2']);
  assert.deepEqual(await pick('--tag', 'Spring'), [U(1), U(3), `${U(5)}#2`]);
  assert.deepEqual(await pick('--tag', 'spring', '--tag', 'red car'), [U(1)]);
  assert.deepEqual(await pick('--kind', 'image', '--tag', 'spring'), []);
});

test('assets: a table for people; wrong usage exits 2', async (t) => {
  const layout = await farm(t);
  const r = await runInProcess(['assets', '--root', layout.root, '--kind', 'music']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').map((l) => l.split(/ {2,}/)), [
    ['KIND', 'CATEGORY', 'ID', 'DURATION', 'SIZE', 'TAGS'],
    ['music', 'upbeat', U(3), '1:05.0', '3.0 MiB', 'spring'],
    ['1 asset(s)'],
    [''],
  ]);
  assert.equal((await runInProcess(['assets', '--root', layout.root, '--kind', 'sound'])).exitCode, 2);
  assert.match((await runInProcess(['assets', '--root', layout.root, '--kind', 'sound'])).stderr, /--kind must be one of video, frame, music, voice, image, text, narration, got "sound" \[USAGE\]/);
  assert.equal((await runInProcess(['assets', '--root', layout.root, '--category', 'none'])).stdout, 'no assets match\n');
  const help = await runInProcess(['assets', '--help']);
  assert.equal(help.exitCode, 0);
  assert.match(help.stdout, /Examples:\n {2}clipmill assets --root \/farm\n/);
});
