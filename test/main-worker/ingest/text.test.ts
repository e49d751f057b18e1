import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestFile } from '../../../src/main-worker/ingest/index.js';
import { parseCsv, parseTextAsset, parseTxt } from '../../../src/main-worker/ingest/text.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { isClipmillError } from '../../../src/shared/errors.js';
import { readJson } from '../../../src/shared/json.js';
import { ingestEnv } from './env.js';

const BOM = '\ufeff';
const invalid = (message: RegExp, line?: number) => (err: unknown) => {
  assert.ok(isClipmillError(err, 'TEXT_INVALID'), String(err));
  assert.match((err as Error).message, message);
  if (line !== undefined) assert.equal((err as { details: { line?: number } }).details.line, line);
  return true;
};

test('.txt: one text, BOM and outer white space dropped, line breaks inside kept, scripts kept exactly', () => {
  assert.deepEqual(parseTxt(`${BOM}\n  Spring deals\r\non every car  \n\n`), [{ text: 'Spring deals\non every car', tags: [], line: 2 }]);
  for (const s of ['عروض الربيع على كل السيارات', '春のセール：全車対象', '봄 세일 🚗💨 👨‍👩‍👧', 'נ"ב \'quoted\' <b>&amp;</b> %{x} \\n']) assert.deepEqual(parseTxt(`${s}\n`), [{ text: s, tags: [], line: 1 }]);
  assert.throws(() => parseTxt(' \n\t\n'), invalid(/^the file holds no text/));
  assert.throws(() => parseTxt('a\nb\u0007c'), invalid(/^line 2: the text holds the control character U\+0007$/, 2));
});

test('.csv: header text and tags, BOM, quoted fields with commas, quotes and line breaks, tags lower-cased, the line of each row', () => {
  const csv = `${BOM}Text,TAGS\r\n"Deals, deals, deals",Spring; RED car ;\r\n"He said ""go""\r\nnow",\r\n\r\nمرحبا بالعالم 🌍,عربي\r\n春のセール,\r\n`;
  assert.deepEqual(parseCsv(csv), [
    { text: 'Deals, deals, deals', tags: ['spring', 'red car'], line: 2 },
    { text: 'He said "go"\nnow', tags: [], line: 3 },
    { text: 'مرحبا بالعالم 🌍', tags: ['عربي'], line: 6 },
    { text: '春のセール', tags: [], line: 7 },
  ]);
  // The tags column is optional; column order is free.
  assert.deepEqual(parseCsv('tags,text\nx,hello\n'), [{ text: 'hello', tags: ['x'], line: 2 }]);
  assert.deepEqual(parseCsv('text\nhello\n'), [{ text: 'hello', tags: [], line: 2 }]);
});

test('.csv refused with the line: a broken quote, a stray quote, a short row, an empty text, a bad header, no rows, invalid UTF-8', () => {
  assert.throws(() => parseCsv('text,tags\nok,a\n"never closed,b\nnext,c\n'), invalid(/^line 3: a quoted field is never closed/, 3));
  assert.throws(() => parseCsv('text\nok\n"bad"x\n'), invalid(/^line 3: /, 3));
  assert.throws(() => parseCsv('text,tags\nok,a\nalone\n'), invalid(/^line 3: the row has a different number of cells than the header/, 3));
  assert.throws(() => parseCsv('text,tags\nok,a\n  ,b\n'), invalid(/^line 3: the text cell is empty$/, 3));
  assert.throws(() => parseCsv('text,tag\nok,a\n'), invalid(/^line 1: unknown column "tag" in the header: the columns are text and, optionally, tags$/, 1));
  assert.throws(() => parseCsv('words\nok\n'), invalid(/^line 1: unknown column "words"/, 1));
  assert.throws(() => parseCsv('tags\nok\n'), invalid(/^line 1: the header has no column text/, 1));
  assert.throws(() => parseCsv('text\n'), invalid(/a header and no text row/));
  assert.throws(() => parseCsv(''), invalid(/no header/));
  const latin1 = Buffer.concat([Buffer.from('text\nok\ncaf'), Buffer.from([0xe9]), Buffer.from('\n')]);
  assert.throws(() => parseTextAsset(latin1, '.csv'), invalid(/^line 3: not valid UTF-8/, 3));
});

test('text files are filed as scanned/text/<category>/<uuid>.<ext> with the texts in their record; a bad one goes to trash/invalid with its line', async (t) => {
  const env = await ingestEnv(t);
  const hooks = await env.raw('text/hooks/spring hooks.csv', (p) => writeFile(p, `${BOM}text,tags\n"Buy now, pay later",Spring\n🚗 ride,\n`));
  await writeFile(`${hooks.path}.json`, JSON.stringify({ tags: ['Promo'] }));
  const out = await ingestFile(env.ctx, hooks);
  assert.ok(out.status === 'moved' && out.record, env.log());
  assert.match(out.dest, /\/scanned\/text\/hooks\/[0-9a-f-]{36}\.csv$/);
  assert.equal(await readFile(out.dest, 'utf8'), `${BOM}text,tags\n"Buy now, pay later",Spring\n🚗 ride,\n`, 'filed as it came');
  const record = await readJson(AssetRecordSchema, `${out.dest}.json`, 'IO');
  assert.deepEqual(record.texts, [{ text: 'Buy now, pay later', tags: ['spring'], line: 2 }, { text: '🚗 ride', tags: [], line: 3 }]);
  assert.deepEqual(record.tags, ['promo']);
  assert.equal(await readFile(`${out.dest}.sidecar.json`, 'utf8'), '{"tags":["Promo"]}', 'the raw sidecar beside it, as it came');

  const one = await env.raw('text/hooks/one.txt', (p) => writeFile(p, '春のセール\n'));
  const o = await ingestFile(env.ctx, one);
  assert.ok(o.status === 'moved' && o.record?.texts?.[0]?.text === '春のセール');

  const broken = await env.raw('text/hooks/broken.csv', (p) => writeFile(p, 'text\nok\n"open\n'));
  const r = await ingestFile(env.ctx, broken);
  assert.ok(r.status === 'rejected' && r.code === 'TEXT_INVALID');
  const reason = JSON.parse(await readFile(join(env.layout.trashInvalid, 'text/hooks/broken.csv.reason.json'), 'utf8')) as { message: string; details: { line: number } };
  assert.match(reason.message, /^line 3: a quoted field is never closed/);
  assert.equal(reason.details.line, 3);
  const pdf = await env.raw('text/hooks/hooks.pdf', (p) => writeFile(p, '%PDF'));
  const p = await ingestFile(env.ctx, pdf);
  assert.ok(p.status === 'rejected' && p.code === 'RAW_UNSUPPORTED_TYPE');
});
