// One story URL: fetched, decoded, extracted, next pages followed on the same site, never a
// page twice (crawl.ts). Fetching itself (redirects, retries, refusals) is fetch.test.ts's.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { countWords } from '../../../src/main-worker/crawl/chunk.js';
import { crawlOptions, extractDocument, type CrawlOptions, type PageSource } from '../../../src/main-worker/crawl/crawl.js';
import { packageVersion } from '../../../src/shared/package-root.js';
import { ARTICLE_PARAGRAPHS, CHINESE, JAPANESE, RUSSIAN, STORY_PAGES, articlePage, startServer, type FixtureServer } from '../../crawl-server.js';
import { testConfig } from '../../helpers.js';
import { crawlAt, failsWith } from '../../crawl-client.js';

let server: FixtureServer;
/** A second server for the loops crawl.ts itself must catch: /s/<n> pages whose next links are given per test. */
let loops: { url: string; close(): Promise<void> };
const LOOP_PAGES: Record<string, { next: string | null; paragraphs: string[] } | { redirect: string }> = {
  // A loop back through a trailing-slash and a #fragment spelling of page 1.
  '/s/1': { next: '/s/2', paragraphs: STORY_PAGES[0]! },
  '/s/2': { next: '/s/3#top', paragraphs: STORY_PAGES[1]! },
  '/s/3': { next: '/s/1/', paragraphs: STORY_PAGES[2]! },
  // A loop back through an address that redirects to page 1.
  '/r/1': { next: '/r/2', paragraphs: STORY_PAGES[0]! },
  '/r/2': { next: '/r/start', paragraphs: STORY_PAGES[1]! },
  '/r/start': { redirect: '/r/1' },
};

before(async () => {
  server = await startServer();
  const s: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/(.)\/$/, '$1');
    const page = LOOP_PAGES[path];
    if (!page) return res.writeHead(404).end();
    if ('redirect' in page) return res.writeHead(302, { location: page.redirect }).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articlePage(page.paragraphs, page.next, `Loop ${path}`));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  loops = { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve()))) };
});
after(async () => {
  await server.close();
  await loops.close();
});

const crawl = (url: string, over: Partial<CrawlOptions> = {}) => crawlAt(server.url, url, over);
const fails = failsWith;

test('crawlOptions: every crawl.* setting, a default user agent naming the version, per-call extras on top', () => {
  const signal = new AbortController().signal;
  assert.deepEqual(crawlOptions(testConfig()), {
    allowPrivateNetworks: false,
    userAgent: `clipmill/${packageVersion()} (story crawler)`,
    connectTimeoutMs: 10_000,
    timeoutMs: 30_000,
    maxBytes: 10_485_760,
    maxRedirects: 5,
    retries: 3,
    retryBaseMs: 1000,
    maxRetryAfterMs: 60_000,
    maxPages: 50,
    extractTimeoutMs: 20_000,
    extractMaxHeapMb: 256,
  });
  const o = crawlOptions(testConfig({ crawl: { userAgent: 'TalesBot/2', maxPages: 7 } }), { maxPages: 2, signal });
  assert.deepEqual([o.userAgent, o.maxPages, o.signal], ['TalesBot/2', 2, signal]);
});

test('extractDocument: plain text split into paragraphs, HTML in the worker, anything else refused', async () => {
  const opts = { extractTimeoutMs: 20_000, extractMaxHeapMb: 256 };
  const text = Buffer.from(`${ARTICLE_PARAGRAPHS.join('\n\n')}\n`);
  assert.deepEqual(await extractDocument(text, 'text/plain; charset=utf-8', 'http://a.test/t.txt', opts), {
    extracted: { title: null, byline: null, paragraphs: ARTICLE_PARAGRAPHS, nextUrl: null, method: 'text' },
    charset: 'utf-8',
    charsetGuessed: false,
  });
  const html = await extractDocument(Buffer.from(articlePage()), 'application/xhtml+xml', 'http://a.test/a', opts);
  assert.deepEqual([html.extracted.paragraphs, html.extracted.method, html.charset], [ARTICLE_PARAGRAPHS, 'readability', 'utf-8']);
  // No Content-Type at all: taken as HTML.
  assert.deepEqual((await extractDocument(Buffer.from(articlePage()), '', 'http://a.test/a', opts)).extracted.paragraphs, ARTICLE_PARAGRAPHS);
  await fails(extractDocument(Buffer.from([0x25, 0x50, 0x44, 0x46]), 'application/pdf; qs=0.5', 'http://a.test/x.pdf', opts), 'CRAWL_NO_TEXT', /^http:\/\/a\.test\/x\.pdf is application\/pdf, not an HTML page$/);
});

test('an article among sidebars, ads and comments: the story and nothing else; scripts never run', async () => {
  const story = await crawl('/article');
  assert.deepEqual(story.paragraphs, ARTICLE_PARAGRAPHS);
  assert.equal(story.pages[0]?.title, 'The Lighthouse Keeper | Tales Site');
  assert.equal(story.pages[0]?.byline, 'By Mara Ellison');
  assert.equal(story.pages[0]?.method, 'readability');
  assert.equal(story.pages[0]?.kept, 'cleaned');
  assert.ok(!story.paragraphs.join(' ').includes('SCRIPT RAN'));
  assert.equal(server.hits.get('/never-loaded.css'), undefined, 'no subresource is fetched');
  assert.equal(server.hits.get('/never-loaded.png'), undefined);
  const words = ARTICLE_PARAGRAPHS.reduce((n, p) => n + countWords(p), 0);
  assert.equal(story.words, words);
  assert.equal(story.pages[0]?.words, words);
  assert.equal(story.url, `${server.url}/article`);
});

test('charsets: header (windows-1251), http-equiv meta (Shift_JIS), meta charset (GBK)', async () => {
  const cp1251 = await crawl('/cp1251');
  assert.deepEqual([cp1251.paragraphs, cp1251.pages[0]?.charset], [[RUSSIAN], 'windows-1251']);
  const sjis = await crawl('/sjis');
  assert.deepEqual([sjis.paragraphs, sjis.pages[0]?.charset], [[JAPANESE], 'shift_jis']);
  const gbk = await crawl('/gbk');
  assert.deepEqual([gbk.paragraphs, gbk.pages[0]?.charset], [[CHINESE], 'gbk']);
});

test('a paginated story: next links followed in order and reported page by page; the loop back to page 1 is not', async () => {
  const seen: PageSource[] = [];
  const story = await crawl('/story/1', { onPage: (p) => seen.push(p) });
  assert.deepEqual(story.pages.map((p) => new URL(p.final_url).pathname), ['/story/1', '/story/2', '/story/3']);
  assert.deepEqual(story.paragraphs, STORY_PAGES.flat());
  assert.deepEqual(seen, story.pages, 'onPage is told about each page as it is done');
  assert.deepEqual(story.pages.map((p) => p.title), [1, 2, 3].map((k) => `The Long Road, part ${k}`));
  assert.equal(story.words, story.pages.reduce((n, p) => n + p.words, 0));
  const capped = await crawl('/story/1', { maxPages: 2 });
  assert.deepEqual(capped.paragraphs, STORY_PAGES.slice(0, 2).flat());
});

test('a next link back to a visited page spelled differently (#fragment, trailing slash) is not followed', async () => {
  const story = await crawl(`${loops.url}/s/1`);
  assert.deepEqual(story.pages.map((p) => new URL(p.url).pathname), ['/s/1', '/s/2', '/s/3']);
  assert.deepEqual(story.paragraphs, STORY_PAGES.flat());
});

test('a next link that redirects to a visited page adds no page twice', async () => {
  const story = await crawl(`${loops.url}/r/1`);
  assert.deepEqual(story.paragraphs, STORY_PAGES.slice(0, 2).flat());
  assert.deepEqual(story.pages.map((p) => new URL(p.final_url).pathname), ['/r/1', '/r/2']);
});

test('pages without story text, and non-HTML, are refused with a reason', async () => {
  await fails(crawl('/empty'), 'CRAWL_NO_TEXT', new RegExp(`^${server.url.replaceAll('.', '\\.')}/empty: no story text found on 1 page\\(s\\)$`));
  await fails(crawl('/image'), 'CRAWL_NO_TEXT', /image\/png, not an HTML page/);
  assert.deepEqual((await crawl('/plain')).paragraphs, ARTICLE_PARAGRAPHS);
  assert.equal((await crawl('/plain')).pages[0]?.method, 'text');
});
