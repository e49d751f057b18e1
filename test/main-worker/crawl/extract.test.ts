import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractFromHtml, findNextUrl, isBoilerplate } from '../../../src/main-worker/crawl/extract.js';
import { extractInWorker } from '../../../src/main-worker/crawl/extract-worker.js';
import { decodePage, sniffCharset } from '../../../src/main-worker/crawl/charset.js';
import { isClipmillError } from '../../../src/shared/errors.js';
import { ARTICLE_PARAGRAPHS, articlePage } from '../../crawl-server.js';
import { JSDOM } from 'jsdom';

test('a deeply nested page costs bounded time; the next page still extracts', async () => {
  const deep = `<html><body>${'<div>'.repeat(100_000)}<p>${'word '.repeat(300)}</p>${'</div>'.repeat(100_000)}</body></html>`;
  const t0 = performance.now();
  try {
    const r = await extractInWorker(deep, 'http://example.com/', { timeoutMs: 2500, maxHeapMb: 256 });
    assert.ok(r.paragraphs.join(' ').includes('word'), 'if it extracts, it finds the text');
  } catch (err) {
    assert.ok(isClipmillError(err, 'CRAWL_NO_TEXT'), String(err));
  }
  assert.ok(performance.now() - t0 < 8000);
  const ok = await extractInWorker(articlePage(), 'http://example.com/a', { timeoutMs: 10_000, maxHeapMb: 256 });
  assert.deepEqual(ok.paragraphs, ARTICLE_PARAGRAPHS);
});

test('a page too big for the heap limit fails cleanly, and the worker is replaced', async () => {
  const huge = `<html><body>${'<p>a b c d e f g</p>'.repeat(400_000)}</body></html>`;
  await assert.rejects(extractInWorker(huge, 'http://example.com/', { timeoutMs: 20_000, maxHeapMb: 32 }), (err: unknown) => isClipmillError(err, 'CRAWL_NO_TEXT'));
  const ok = await extractInWorker(articlePage(), 'http://example.com/a', { timeoutMs: 10_000, maxHeapMb: 256 });
  assert.equal(ok.paragraphs.length, 3);
});

test('text normalized to NFC, whitespace collapsed; the fallback keeps the page\'s own paragraphs', () => {
  const html = '<html><body><nav>Home | About</nav><div class="content"><p>Cafe\u0301   au\u00a0lait,\n\n at  dawn, the whole street smelled of bread and rain.</p></div><div class="comments"><p>Nice post, very long comment that goes on and on about nothing at all.</p></div></body></html>';
  const r = extractFromHtml(html, 'http://example.com/');
  assert.equal(r.paragraphs[0], 'Café au lait, at dawn, the whole street smelled of bread and rain.');
  assert.ok(!r.paragraphs.some((p) => p.includes('Home | About')));
  // Text only in a table cell, too short for Readability's threshold: whichever of Readability
  // and the fallback takes it, the page's own paragraph comes out.
  const table = extractFromHtml('<html><body><table><tr><td>Short.</td></tr></table></body></html>', 'http://example.com/');
  assert.deepEqual(table.paragraphs, ['Short.']);
  assert.ok(table.method === 'fallback' || table.method === 'readability', table.method);
});

test('next-page links: rel=next, an evident "next chapter" link; same site only', () => {
  const doc = (body: string) => new JSDOM(`<html><body>${body}</body></html>`).window.document;
  assert.equal(findNextUrl(doc('<a href="/p/2" rel="next">2</a>'), 'http://a.com/p/1'), 'http://a.com/p/2');
  assert.equal(findNextUrl(doc('<a href="/ch/5">Next chapter »</a>'), 'http://a.com/ch/4'), 'http://a.com/ch/5');
  assert.equal(findNextUrl(doc('<a href="https://www.a.com/ch/5">Далее</a>'), 'http://a.com/ch/4'), 'https://www.a.com/ch/5');
  assert.equal(findNextUrl(doc('<a href="http://other.com/p/2" rel="next">next</a>'), 'http://a.com/p/1'), null);
  assert.equal(findNextUrl(doc('<a href="javascript:go()">Next</a>'), 'http://a.com/p/1'), null);
  assert.equal(findNextUrl(doc('<a href="/p/1#top">Next</a>'), 'http://a.com/p/1'), null);
  assert.equal(findNextUrl(doc('<a href="/2024/05/26/another-post/" rel="next">Next post</a>'), 'http://a.com/2024/05/20/my-story/'), null, 'a blog\'s next post is another story');
  assert.equal(findNextUrl(doc('<a href="/threads/tale.12/page-2">Next</a>'), 'http://a.com/threads/tale.12/'), 'http://a.com/threads/tale.12/page-2');
  assert.equal(findNextUrl(doc('<a href="?page=2">Next »</a>'), 'http://a.com/story'), 'http://a.com/story?page=2');
  assert.ok(isBoilerplate('Read more: Council approves new plan for the harbour wall after two years of public debate'));
  assert.ok(isBoilerplate('Share on Facebook') && isBoilerplate('12 comments') && isBoilerplate('Read more') && !isBoilerplate('Share the bread, she said, and the boy did.'));
});

test('charset sniffing order: BOM, header, meta, valid UTF-8, windows-1252', () => {
  assert.equal(sniffCharset(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), 'text/html; charset=iso-8859-1').source, 'bom');
  assert.deepEqual(sniffCharset(Buffer.from('<meta charset="koi8-r">'), 'text/html; charset=windows-1251'), { charset: 'windows-1251', source: 'header' });
  assert.deepEqual(sniffCharset(Buffer.from('<meta charset="koi8-r">'), 'text/html'), { charset: 'koi8-r', source: 'meta' });
  assert.deepEqual(sniffCharset(Buffer.from('<meta charset="nonsense">é', 'utf8'), 'text/html; charset=bogus'), { charset: 'utf-8', source: 'utf8-valid' });
  assert.deepEqual(decodePage(Buffer.from([0x63, 0x61, 0x66, 0xe9]), null), { text: 'café', charset: 'windows-1252' });
});
