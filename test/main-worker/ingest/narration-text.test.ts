// raw/narration/<category>/<campaign>.csv|txt through the main worker: parsed and planned at
// ingest, voiced by the narration queue (espeak-ng), filed as tagged narration parts with word
// timings; a bad file goes to trash/invalid with its line.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../../src/cli/commands/init.js';
import { statusReport } from '../../../src/shared/reports/status.js';
import { Catalog } from '../../../src/shared/catalog.js';
import { MainWorker } from '../../../src/main-worker/index.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { readJson } from '../../../src/shared/json.js';
import { Layout } from '../../../src/shared/layout.js';
import { createLogger } from '../../../src/shared/log.js';
import { NarrationPlanSchema } from '../../../src/shared/narration.js';
import { readWords } from '../../../src/shared/words.js';
import { binaries, tempDir, testConfig, visible, walk } from '../../helpers.js';

async function run(root: string, over: Parameters<typeof testConfig>[0] = {}) {
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const worker = new MainWorker({ config: testConfig({ ingest: { stableMs: 0 }, ...over }), layout: new Layout(root), log, bins: await binaries() });
  await worker.runOnce();
  return { lines, worker };
}

test('narration CSV: 3 rows become 3 tagged narration parts with word timings; a bad CSV is rejected with its line', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const dir = join(layout.raw, 'narration', 'promo');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'spring sale.csv'), '\ufefftext,campaign_part,tags\n"Spring is here, and so are the deals.",1,spring;Sale\nEverything must go this weekend.,2,sale\n"Come in today, the doors are open.",1,\n');
  await writeFile(join(dir, 'broken.csv'), 'text,campaign_part\nfine,1\nnot fine,zero\n');
  const { worker } = await run(root);
  const parts = join(layout.scannedNarrationDir('promo', 'spring sale'));
  assert.deepEqual(await visible(parts), ['part_0001.mp3', 'part_0001.mp3.json', 'part_0001.mp3.words.json', 'part_0001_2.mp3', 'part_0001_2.mp3.json', 'part_0001_2.mp3.words.json', 'part_0002.mp3', 'part_0002.mp3.json', 'part_0002.mp3.words.json', 'text']);
  const record = await readJson(AssetRecordSchema, join(parts, 'part_0001.mp3.json'), 'IO');
  assert.deepEqual([record.kind, record.id, record.campaign, record.part, record.take, record.tags, record.raw_path], ['narration', 'promo/spring sale/part_0001', 'spring sale', 1, 1, ['spring', 'sale'], 'raw/narration/promo/spring sale.csv']);
  assert.equal(record.transcript, 'Spring is here, and so are the deals.');
  assert.ok(record.duration! > 1);
  const words = await readWords(join(parts, 'part_0001_2.mp3.words.json'));
  assert.equal(words.source, 'espeak-ng');
  assert.deepEqual(words.words.map((w) => w.word), ['Come', 'in', 'today,', 'the', 'doors', 'are', 'open.']);
  // The source is filed with its plan.
  const [source, plan] = await visible(join(parts, 'text'));
  assert.match(source!, /^[0-9a-f-]{36}\.csv$/);
  assert.equal(plan, `${source}.plan.json`);
  assert.deepEqual((await readJson(NarrationPlanSchema, join(parts, 'text', plan!), 'IO')).items.map((i) => [i.target, i.line]), [['part_0001.mp3', 2], ['part_0002.mp3', 3], ['part_0001_2.mp3', 4]]);
  // The catalog sees the parts, their takes and tags; narration parts make no voice-over tasks.
  const catalog = await Catalog.load(layout);
  const campaign = catalog.narration('promo', 'spring sale');
  assert.deepEqual([...campaign.keys()], [1, 2]);
  assert.deepEqual(campaign.get(1)!.map((p) => [p.take, p.tags]), [[1, ['spring', 'sale']], [2, []]]);
  assert.deepEqual(await visible(layout.tasks), []);
  // The bad file: rejected with the line, nothing voiced from it.
  const reason = JSON.parse(await readFile((await walk(layout.trashInvalid)).find((n) => n.endsWith('broken.csv.reason.json'))!, 'utf8')) as { code: string; message: string };
  assert.equal(reason.code, 'NARRATION_TEXT_INVALID');
  assert.match(reason.message, /line 3: campaign_part must be a whole number/);
  assert.deepEqual(await visible(dir), []);
  assert.deepEqual(worker.narrationCounts(), { queued: 0, done: 3, failed: 0 });
  const status = await statusReport(layout);
  assert.deepEqual(status.narration, { queued: 0, done: 3, failed: 0, uncaptioned: 0 });

  // The same campaign_part again in a new file: the next take; the cache is untouched for known text.
  await writeFile(join(dir, 'spring sale.txt'), 'A third take for part one.\n');
  await run(root);
  assert.ok((await visible(parts)).includes('part_0001_3.mp3'));
});
