import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTICLE_PARAGRAPHS, articlePage, startServer, STORY_PAGES, type FixtureServer } from '../../crawl-server.js';
import { cli, tempDir } from '../../helpers.js';

let server: FixtureServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

test('clipmill crawl <file.html>: the text, paragraphs separated by blank lines, no network', async (t) => {
  const dir = await tempDir(t);
  // The page links a stylesheet and an image on the test server: none may be fetched.
  const html = articlePage().replace('/never-loaded.css', `${server.url}/from-file.css`);
  await writeFile(join(dir, 'saved page.html'), html);
  const r = await cli(['crawl', join(dir, 'saved page.html')]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, ARTICLE_PARAGRAPHS.join('\n\n'));
  assert.equal(server.hits.get('/from-file.css'), undefined);
});

test('clipmill crawl <url> --chunks <dir> writes chunk files and sources.json', async (t) => {
  const dir = await tempDir(t);
  const r = await cli(['crawl', `${server.url}/story/1`, '--chunks', join(dir, 'out')], { CLIPMILL_CRAWL_ALLOW_PRIVATE_NETWORKS: '1', CLIPMILL_CRAWL_MAX_WORDS_PER_CHUNK: '50' });
  assert.equal(r.exitCode, 0, r.stderr);
  const files = (await readdir(join(dir, 'out'))).sort();
  assert.ok(files.includes('chunk_0001.txt') && files.includes('sources.json'));
  const text = (await Promise.all(files.filter((f) => f.startsWith('chunk_')).map((f) => readFile(join(dir, 'out', f), 'utf8')))).join('\n');
  assert.deepEqual(text.split(/\n+/).filter(Boolean), STORY_PAGES.flat());
  // sources.json: the URL, every page fetched in order, the chunks it became.
  const sources = JSON.parse(await readFile(join(dir, 'out', 'sources.json'), 'utf8')) as { links: { url: string; words: number; chunks: string[]; pages: { final_url: string; kept?: string }[] }[] };
  assert.equal(sources.links.length, 1);
  assert.equal(sources.links[0]!.url, `${server.url}/story/1`);
  assert.deepEqual(sources.links[0]!.pages.map((p) => new URL(p.final_url).pathname), ['/story/1', '/story/2', '/story/3']);
  assert.deepEqual(sources.links[0]!.chunks, files.filter((f) => f.startsWith('chunk_')));
  assert.deepEqual(sources.links[0]!.pages.map((p) => p.kept), ['cleaned', 'cleaned', 'cleaned'], 'which text was kept, per page');
  assert.ok(sources.links[0]!.words > 0);
  assert.deepEqual(r.stdout.split('\n'), sources.links[0]!.chunks.map((c) => join(dir, 'out', c)), 'stdout lists the chunk files');
});

test('clipmill crawl refuses a private address by default, in one line', async () => {
  const r = await cli(['crawl', `${server.url}/article`]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr.trim(), /^clipmill crawl: error: .*127\.0\.0\.1.* refused: .*non-public.* \[CRAWL_REFUSED\]$/);
  const missing = await cli(['crawl']);
  assert.equal(missing.exitCode, 2);
});
