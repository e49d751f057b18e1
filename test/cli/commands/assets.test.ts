// `clipmill assets`: the listing of src/shared/reports/assets.ts printed as JSON or a table,
// its filters taken from the options (tags normalized); wrong usage. In-process on a root
// written by hand (names and records).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listAssets, type ListedAsset } from '../../../src/shared/reports/assets.js';
import { runInProcess } from '../in-process.js';
import { assetId as U, assetsRoot as farm } from '../../shared/reports/fixture.js';

test('assets --json: the listing as JSON; --kind, --category and --tag (repeated, any case) filter it', async (t) => {
  const layout = await farm(t);
  const all = await runInProcess(['assets', '--root', layout.root, '--json']);
  assert.equal(all.exitCode, 0, all.stderr);
  assert.deepEqual(JSON.parse(all.stdout), JSON.parse(JSON.stringify(await listAssets(layout))));
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
