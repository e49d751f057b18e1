// Story links through the main worker: chunks published whole, numbering continuing across
// link files, sources.json, failures publishing nothing, and crash roll-forward.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initRoot } from '../../../src/cli/commands/init.js';
import { MainWorker } from '../../../src/main-worker/index.js';
import { parseLinkFile, rollForward } from '../../../src/main-worker/ingest/link.js';
import { countWords } from '../../../src/main-worker/crawl/chunk.js';
import { writeJsonAtomic } from '../../../src/shared/fs.js';
import { Layout } from '../../../src/shared/layout.js';
import { createLogger } from '../../../src/shared/log.js';
import { startServer, STORY_PAGES, type FixtureServer } from '../../crawl-server.js';
import { tempDir, testConfig } from '../../helpers.js';

let server: FixtureServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

async function setup(t: { after(fn: () => Promise<void> | void): void }, allowPrivateNetworks = true) {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream }).child({ component: 'main_worker' });
  const config = testConfig({ ingest: { stableMs: 0 }, crawl: { allowPrivateNetworks, maxWordsPerChunk: 60, retryBaseMs: 10, retries: 1 } });
  const run = () => new MainWorker({ config, layout, log, bins: null as never }).runOnce();
  const link = async (story: string, name: string, text: string) => {
    const dir = join(layout.raw, 'story', 'fantasy', story, 'link');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, name), text);
  };
  return { root, layout, lines, run, link, storyDir: (s: string) => join(layout.scanned, 'story', 'fantasy', s) };
}

test('link file format: one URL per line, # comments, blank lines', () => {
  assert.deepEqual(parseLinkFile('\ufeff# my story\nhttp://a.com/1\n\n  http://a.com/2#frag   # part two\n#http://skip\n'), ['http://a.com/1', 'http://a.com/2#frag']);
});

test('a multi-page story becomes chunks; a second link file continues the numbering', async (t) => {
  const s = await setup(t);
  await s.link('the long road', 'part1.txt', `# parts 1-3\n${server.url}/story/1\n`);
  const totals = await s.run();
  assert.equal(totals.errors, 0, s.lines.join(''));
  const dir = s.storyDir('the long road');
  const chunks = (await readdir(dir)).filter((n) => n.startsWith('chunk_')).sort();
  assert.ok(chunks.length >= 3, chunks.join());
  const text = (await Promise.all(chunks.map((c) => readFile(join(dir, c), 'utf8')))).join('\n\n');
  assert.deepEqual(text.split(/\n\n+/).map((p) => p.trim()).filter(Boolean), STORY_PAGES.flat());
  for (const c of chunks) assert.ok(countWords(await readFile(join(dir, c), 'utf8')) <= 60);
  assert.deepEqual(await readdir(join(dir, 'link')), ['part1.txt'], 'the link file is filed with its story');
  assert.deepEqual(await readdir(join(s.layout.raw, 'story', 'fantasy', 'the long road', 'link')), []);

  await s.link('the long road', 'part2.txt', `${server.url}/article\n`);
  await s.run();
  const all = (await readdir(dir)).filter((n) => n.startsWith('chunk_')).sort();
  assert.ok(all.length > chunks.length);
  assert.equal(all[all.length - 1], `chunk_${String(all.length).padStart(4, '0')}.txt`, 'numbered without gaps');
  const sources = JSON.parse(await readFile(join(dir, 'sources.json'), 'utf8')) as { links: { url: string; link_file: string; chunks: string[]; words: number; pages: { final_url: string; title: string; fetched_at: string; words: number }[] }[] };
  assert.deepEqual(sources.links.map((l) => l.link_file), ['link/part1.txt', 'link/part2.txt']);
  assert.deepEqual(sources.links.map((l) => l.url), [`${server.url}/story/1`, `${server.url}/article`]);
  assert.deepEqual(sources.links[0]!.pages.map((p) => new URL(p.final_url).pathname), ['/story/1', '/story/2', '/story/3']);
  assert.ok(sources.links[0]!.pages.every((p) => p.fetched_at && p.title && p.words > 0));
  assert.equal(sources.links[0]!.words, sources.links[0]!.pages.reduce((n, p) => n + p.words, 0));
  assert.deepEqual(sources.links[0]!.chunks, chunks, 'the first link file: the first run\'s chunks');
  assert.deepEqual(sources.links[1]!.chunks, all.slice(chunks.length), 'the second link file continues the numbering');
});

test('a failing link publishes nothing and goes to trash/invalid with the URL and the cause', async (t) => {
  const s = await setup(t);
  await s.link('broken', 'a.txt', `${server.url}/article\n${server.url}/missing\n`);
  await s.link('empty', 'b.txt', '# nothing here\n\n');
  const totals = await s.run();
  assert.equal(totals.rejected, 2);
  assert.deepEqual(await readdir(s.storyDir('broken')).catch(() => []), [], 'not even the first URL\'s chunks');
  const reason = JSON.parse(await readFile(join(s.layout.trashInvalid, 'story/fantasy/broken/link/a.txt.reason.json'), 'utf8')) as { code: string; message: string };
  assert.equal(reason.code, 'CRAWL_FAILED');
  assert.match(reason.message, new RegExp(`${server.url}/missing: HTTP 404`));
  const empty = JSON.parse(await readFile(join(s.layout.trashInvalid, 'story/fantasy/empty/link/b.txt.reason.json'), 'utf8')) as { code: string };
  assert.equal(empty.code, 'LINK_EMPTY');
});

test('private addresses refused by default: the link goes to trash/invalid, nothing is fetched', async (t) => {
  const s = await setup(t, false);
  const hits = server.hits.get('/article') ?? 0;
  await s.link('s', 'meta.txt', 'http://169.254.169.254/latest/meta-data/\n');
  await s.link('s2', 'local.txt', `${server.url}/article\n`);
  await s.run();
  for (const f of ['story/fantasy/s/link/meta.txt', 'story/fantasy/s2/link/local.txt']) {
    const r = JSON.parse(await readFile(join(s.layout.trashInvalid, `${f}.reason.json`), 'utf8')) as { code: string };
    assert.equal(r.code, 'CRAWL_REFUSED');
  }
  assert.equal(server.hits.get('/article') ?? 0, hits);
});

test('a publication interrupted by a crash is rolled forward', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, '.chunk_0001.txt.tmp-ab'), 'one\n');
  await writeFile(join(dir, '.chunk_0002.txt.tmp-ab'), 'two\n');
  await writeFile(join(dir, 'chunk_0001.txt'), 'one\n'); // this rename had happened
  await writeFile(join(dir, 'raw.txt'), 'http://x\n');
  await writeJsonAtomic(join(dir, '.publish-ab.json'), { renames: [[join(dir, '.chunk_0001.txt.tmp-ab'), join(dir, 'chunk_0001.txt')], [join(dir, '.chunk_0002.txt.tmp-ab'), join(dir, 'chunk_0002.txt')]], link: { from: join(dir, 'raw.txt'), to: join(dir, 'link', 'raw.txt') } });
  await import('node:fs/promises').then((fs) => fs.rm(join(dir, '.chunk_0001.txt.tmp-ab')));
  await rollForward(join(dir, '.publish-ab.json'));
  assert.deepEqual((await readdir(dir)).sort(), ['chunk_0001.txt', 'chunk_0002.txt', 'link']);
  assert.deepEqual(await readdir(join(dir, 'link')), ['raw.txt']);
});
