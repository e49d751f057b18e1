import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARTICLE_MIN_WORDS, extractFromHtml, findNextUrl, isBoilerplate, proseWords } from '../../../src/main-worker/crawl/extract.js';
import { PageSourceSchema } from '../../../src/shared/ingest-files.js';
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
  assert.ok(isBoilerplate('Share on Facebook') && isBoilerplate('12 comments') && isBoilerplate('Read more') && isBoilerplate('No posts') && isBoilerplate('No comments yet.') && !isBoilerplate('Share the bread, she said, and the boy did.'));
});

// The patterns that lost whole articles. Each page is authored after the platform's public
// markup; each story must come out whole from clipmill's own cleaning (kept: 'cleaned'), not
// only through the safety net.
const STORY = [
  'The first winter I kept bees, I lost all three hives before February, and nothing had prepared me for the silence of a dead colony.',
  'This is a post about that silence, and about what I did with the spring that followed, and a little about my father.',
  'He used to say that a hive tells you everything if you stand beside it long enough, and it turns out that is simply true.',
  'In March I ordered two new packages from a breeder in the valley; they arrived humming like a refrigerator in wooden boxes.',
  'By May the traffic at the entrance had doubled, and on warm evenings the whole front of the box was covered with fanning bees.',
  'I took my first honey in August, eleven jars from one hive and none from the other, dark and tasting faintly of linden.',
];
const ps = (xs: string[]) => xs.map((p) => `<p>${p}</p>`).join('\n');
const words = (xs: string[]) => xs.join(' ').split(/\s+/).length;
/** Inline script data as large pages carry it (Substack's _preloads hold the post again, as JSON). */
const bigScript = (n: number) => `<script>window._preloads = ${JSON.stringify({ body_html: ps(STORY).repeat(n), comments: Array.from({ length: 10 * n }, (_, i) => ({ id: i, body: 'Lovely piece, thank you for writing it.' })) })}</script>`;
const SITE = '<header class="site-header"><nav class="main-navigation"><a href="/">Home</a> <a href="/archive">Archive</a> <a href="/about">About</a></nav></header>';

test('Substack: the post body in a wrapper whose class has "newsletter-post", on a page whose scripts hold the post again, comes out whole (not "No posts")', () => {
  const html = `<html><head><title>What the Hive Told Me</title></head><body>${SITE}
<div class="pencraft pc-display-flex pc-flexDirection-column pc-reset container newsletter-post post single-post-container"><div class="single-post">
<div class="post-header"><h1 class="post-title">What the Hive Told Me</h1><div class="pencraft pc-reset post-ufi"><a>48</a><a>Share</a></div></div>
<div class="available-content"><div dir="auto" class="body markup">${ps(STORY.slice(0, 3))}
<div class="subscription-widget-wrap-editor"><div class="subscription-widget show-subscribe"><p class="cta-caption">Thanks for reading Field Notes! Subscribe for free to receive new posts and support my work.</p><form><input type="email"></form></div></div>
${ps(STORY.slice(3))}</div></div>
<div class="pencraft pc-reset subscribe-footer"><p>Ready for more?</p></div>
</div></div>
<div class="pencraft pc-reset portable-archive"><div class="portable-archive-tabs"><a>Top</a><a>Latest</a></div><div class="post-preview-container"><p class="pencraft pc-reset">No posts</p></div></div>
${bigScript(3)}</body></html>`;
  const r = extractFromHtml(html, 'https://fieldnotes.example/p/what-the-hive-told-me');
  assert.deepEqual([r.paragraphs, r.kept], [STORY, 'cleaned']);
});

test('WordPress: article containers whose class tokens read as furniture ("content-area has-sidebar related-posts-enabled") are the story, not furniture', () => {
  const comments = Array.from({ length: 12 }, (_, i) => `<li class="comment"><div class="comment-content"><p>Reader ${i}: thanks for this, it was really helpful and I bookmarked it for later.</p></div></li>`).join('');
  const html = `<html><head><title>A Buying Guide</title></head><body class="has-sidebar">${SITE}
<div id="content" class="site-content has-sidebar"><div id="primary" class="content-area has-sidebar related-posts-enabled"><main id="main" class="site-main">
<article class="post type-post"><header class="entry-header"><h1 class="entry-title">A Buying Guide</h1></header>
<div class="entry-content">${ps(STORY)}
<div class="sharedaddy sd-sharing-enabled"><h3>Share this:</h3><a>Facebook</a> <a>Email</a></div></div></article>
<div id="comments" class="comments-area"><ol class="comment-list">${comments}</ol></div></main></div>
<aside id="secondary" class="widget-area sidebar"><section class="widget"><h2>Recent posts</h2><ul><li><a href="/a">How to choose a tripod</a></li></ul></section></aside></div>
${bigScript(4)}</body></html>`;
  const r = extractFromHtml(html, 'https://lensnotes.example/2024/05/guide/');
  assert.deepEqual([r.paragraphs, r.kept], [STORY, 'cleaned']);
});

test('list article: an h2 per item, short paragraphs in a "slide-caption" box, images with captions: every item comes out', () => {
  const items = STORY.map((p, i) => ({ h: `${i + 1}. Item number ${i + 1}`, p: [`${p.split(/[,;]/)[0]!}.`, p] }));
  const html = `<html><head><title>Top 6</title></head><body>${SITE}<article class="post"><div class="entry-content">
<p>We asked our readers for the things they loved most this year, and nearly four thousand of you answered.</p>
${items.map((it) => `<div class="wp-block-group list-item"><h2 class="wp-block-heading">${it.h}</h2><figure class="wp-block-image"><img src="/i.jpg" alt=""><figcaption class="wp-element-caption">Photo: publisher</figcaption></figure><div class="slide-caption">${ps(it.p)}</div><p class="has-small-font-size"><a href="https://shop.example/x" rel="sponsored">Buy it here</a></p></div>`).join('\n')}
</div></article></body></html>`;
  const r = extractFromHtml(html, 'https://tabletalk.example/top-6/');
  const want = ['We asked our readers for the things they loved most this year, and nearly four thousand of you answered.', ...items.flatMap((it) => [it.h, ...it.p])];
  assert.deepEqual([r.paragraphs, r.kept], [want, 'cleaned']);
  assert.ok(!r.paragraphs.includes('Photo: publisher'), 'image captions are still dropped');
});

test('review: Readability picks the right container, whose class has "share" ("entry-content share-buttons-bottom"); the cleaning keeps it', () => {
  const html = `<html><head><title>Robot Vacuums, Tested</title></head><body><div id="page" class="site sidebar-right">${SITE}
<div class="site-content sidebar-layout"><article class="post"><div class="entry-content post-content share-buttons-bottom" id="post-content">${ps(STORY)}
<div class="sharedaddy"><h3>Share this:</h3><a>Facebook</a></div></div></article>
<aside class="widget-area sidebar"><section class="widget"><p>We buy everything we review with our own money and never accept payment.</p></section></aside></div></div></body></html>`;
  const r = extractFromHtml(html, 'https://homelab.example/robot-vacuums/');
  assert.deepEqual([r.paragraphs, r.kept], [STORY, 'cleaned']);
});

test('furniture removal still helps: newsletter boxes, author notes, share rows and comments next to the story are dropped', () => {
  const html = `<html><body>${SITE}<article><div class="entry-content">${ps(STORY)}
<div class="newsletter-signup"><p>Get the best stories in your inbox every Friday, free, no spam ever.</p></div>
<div class="author-note"><p>The author is a beekeeper and writer who lives in the valley with two dogs.</p></div></div></article>
<div class="comments"><div class="comment"><p>Wonderful, I read it twice and cried both times, thank you for writing it.</p></div><div class="comment"><p>My grandfather kept bees too, and this brought back so many memories.</p></div><div class="comment"><p>Where can I buy the honey? I would love to taste linden honey at last.</p></div></div></body></html>`;
  const r = extractFromHtml(html, 'https://a.example/p/bees');
  assert.deepEqual([r.paragraphs, r.kept], [STORY, 'cleaned']);
});

test('safety net: when the cleaning keeps under half of an article plain Readability found, Readability\'s text is kept and says so', () => {
  // Sections each named like furniture, each a sixth of the story, with no class in common:
  // the cleaning takes every one of them for a share box; plain Readability reads the article.
  // Only the lede survives the cleaning: under half of the words, but not nothing.
  const long = [...STORY, ...STORY.map((p) => `Years later, ${p[0]!.toLowerCase()}${p.slice(1)}`)];
  const parts = long.slice(1).map((p, i) => `<div class="share-quote-${i}">${ps([p])}</div>`).join('\n');
  const html = `<html><head><title>Bees</title></head><body>${SITE}<div class="story"><div class="lede">${ps(long.slice(0, 1))}</div>${parts}</div><footer><p>Copyright 2024 Field Notes. All rights reserved.</p></footer></body></html>`;
  const r = extractFromHtml(html, 'https://a.example/p/bees');
  assert.equal(r.kept, 'readability');
  assert.equal(r.method, 'readability');
  assert.deepEqual(r.paragraphs, long);
  assert.ok(proseWords(r.paragraphs) >= ARTICLE_MIN_WORDS && words(long) >= ARTICLE_MIN_WORDS);
  // Readability's text that is not article-like (a menu, a list of links) never replaces the cleaned text.
  assert.equal(proseWords(['Home', 'Archive', 'About us and our team', 'No posts']), 0);
  // Pages where the cleaning does well keep the cleaned text.
  assert.equal(extractFromHtml(`<html><body><article>${ps(long)}</article></body></html>`, 'https://a.example/').kept, 'cleaned');
  // Nor does a short text: under ARTICLE_MIN_WORDS words, the cleaned text (the lede) stays.
  const short = `<html><body><div class="story"><div class="lede">${ps(STORY.slice(0, 1))}</div>${STORY.slice(1, 4).map((p, i) => `<div class="share-quote-${i}">${ps([p])}</div>`).join('')}</div></body></html>`;
  const s = extractFromHtml(short, 'https://a.example/');
  assert.equal(s.kept, 'cleaned');
});

test('sources.json: a page records which text was kept; files written before it still parse', () => {
  const page = { url: 'https://a.example/', final_url: 'https://a.example/', title: null, byline: null, fetched_at: '2024-05-01T00:00:00.000Z', charset: 'utf-8', method: 'readability', words: 10 };
  assert.equal(PageSourceSchema.parse({ ...page, kept: 'readability' }).kept, 'readability');
  assert.equal(PageSourceSchema.parse(page).kept, undefined);
  assert.throws(() => PageSourceSchema.parse({ ...page, kept: 'other' }));
});
