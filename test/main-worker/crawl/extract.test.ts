import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractFromHtml, findNextUrl, isBoilerplate } from '../../../src/main-worker/crawl/extract.js';
import { JSDOM } from 'jsdom';

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
