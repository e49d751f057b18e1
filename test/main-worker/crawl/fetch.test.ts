import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import { after, before, test } from 'node:test';
import { privateAddressReason } from '../../../src/main-worker/crawl/address.js';
import type { CrawlOptions } from '../../../src/main-worker/crawl/crawl.js';
import { createCrawlAgent, fetchPage, retryAfterMs } from '../../../src/main-worker/crawl/fetch.js';
import { ARTICLE_PARAGRAPHS, startServer, type FixtureServer } from '../../crawl-server.js';
import { crawlAt, crawlTestOptions, failsWith } from '../../crawl-client.js';

let server: FixtureServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

const options = crawlTestOptions;
const crawl = (path: string, over: Partial<CrawlOptions> = {}, allowPrivate = true) => crawlAt(server.url, path, over, allowPrivate);
const fails = failsWith;

test('redirect chains are followed up to maxRedirects; loops and too-long chains fail', async () => {
  const story = await crawl('/redirect/3');
  assert.equal(new URL(story.pages[0]!.final_url).pathname, '/article');
  await fails(crawl('/redirect/3', { maxRedirects: 2 }), 'CRAWL_FAILED', /more than crawl\.maxRedirects \(2\) redirects/);
  await fails(crawl('/redirect-loop'), 'CRAWL_FAILED', /redirects/);
});

test('retries: 500 then 200, and 429 honouring Retry-After; a server that stays down fails', async () => {
  const retries: string[] = [];
  const story = await crawl('/flaky', { onRetry: (r) => retries.push(r.why) });
  assert.deepEqual(story.paragraphs, ARTICLE_PARAGRAPHS);
  assert.match(retries[0]!, /HTTP 500/);
  const waits: number[] = [];
  await crawl('/busy', { onRetry: (r) => waits.push(r.waitMs) });
  assert.deepEqual(waits, [1000], 'Retry-After: 1 is one second');
  await fails(crawl('/down', { retries: 2 }), 'CRAWL_FAILED', /HTTP 503 \(after 3 attempts\)/);
  await fails(crawl('/missing'), 'CRAWL_FAILED', /HTTP 404/);
  assert.equal(retryAfterMs('120'), 120_000);
  const now = Date.parse('2026-03-01T12:00:00Z');
  assert.equal(retryAfterMs(new Date(now + 5000).toUTCString(), now), 5000, 'an HTTP date: the time until then');
  assert.equal(retryAfterMs(new Date(now - 5000).toUTCString(), now), 0, 'a date in the past: at once');
  assert.equal(retryAfterMs('soon', now), null);
});

test('hostile servers cost bounded time and memory: hang, slow drip, compression bomb', async () => {
  const t0 = performance.now();
  await fails(crawl('/hang', { timeoutMs: 500, retries: 0 }), 'CRAWL_FAILED', /within crawl\.timeoutMs \(500 ms\)/);
  await fails(crawl('/drip', { timeoutMs: 700, retries: 0 }), 'CRAWL_FAILED', /within crawl\.timeoutMs \(700 ms\)/);
  assert.ok(performance.now() - t0 < 5000);
  // The reader stops at maxBytes of decompressed data (the message says so); the 64 MiB are never held.
  await fails(crawl('/bomb'), 'CRAWL_TOO_LARGE', /larger than crawl\.maxBytes \(1048576 bytes, counted after decompression\)/);
});

test('refusals with allowPrivateNetworks off: loopback, metadata, private, schemes, credentials', async () => {
  const hitsBefore = server.hits.get('/article') ?? 0;
  for (const url of [`${server.url}/article`, 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0x7f.1/', 'http://0.0.0.0/', 'http://224.0.0.1/']) {
    await fails(crawl(url, {}, false), 'CRAWL_REFUSED', /non-public|refused/);
  }
  await fails(crawl(`http://localhost:${server.port}/article`, {}, false), 'CRAWL_REFUSED', /localhost resolves to .*127\.0\.0\.1|refused/);
  await fails(crawl('file:///etc/passwd', {}, false), 'CRAWL_REFUSED', /file: URLs are not crawled/);
  await fails(crawl('ftp://example.com/x', {}, false), 'CRAWL_REFUSED', /ftp: URLs are not crawled/);
  await fails(crawl('http://user:secret@example.com/', {}, false), 'CRAWL_REFUSED', /credentials/);
  assert.equal(server.hits.get('/article') ?? 0, hitsBefore, 'no refused request reached the server');
});

test('every hop is checked: a redirect to the metadata address, and DNS rebinding', async () => {
  // Allow exactly the test server; everything else keeps the default policy.
  const onlyServer = (ip: string) => (ip === '127.0.0.1' ? null : privateAddressReason(ip));
  await fails(crawl('/to-metadata', { addressPolicy: onlyServer }, false), 'CRAWL_REFUSED', /169\.254\.169\.254/);
  // rebind.test resolves to the server first, then to a private address.
  let calls = 0;
  const lookup = ((_host: string, _opts: unknown, cb: (err: null, addrs: { address: string; family: number }[]) => void) => {
    calls++;
    cb(null, [{ address: calls === 1 ? '127.0.0.1' : '10.0.0.1', family: 4 }]);
  }) as unknown as LookupFunction;
  const second = await startServer();
  try {
    const opts = options({ addressPolicy: onlyServer, lookup }, false);
    const agent = createCrawlAgent(opts);
    try {
      const first = await fetchPage(`http://rebind.test:${server.port}/article`, agent, opts);
      assert.equal(first.status, 200);
      await fails(fetchPage(`http://rebind.test:${second.port}/article`, agent, { ...opts, retries: 0 }), 'CRAWL_REFUSED', /rebind\.test resolves to 10\.0\.0\.1/);
    } finally {
      await agent.close();
    }
    assert.equal(second.hits.size, 0);
  } finally {
    await second.close();
  }
});
