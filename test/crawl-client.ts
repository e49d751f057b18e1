// The crawler as the crawl tests drive it against their fixture servers: options for a local
// server (private addresses allowed unless a test says otherwise, quick retries and timeouts),
// one crawl with its own connection pool, and an assertion on a refusal's code and message.
import assert from 'node:assert/strict';
import { crawlOptions, crawlStory, type CrawlOptions } from '../src/main-worker/crawl/crawl.js';
import { createCrawlAgent } from '../src/main-worker/crawl/fetch.js';
import { isClipmillError, type ErrorCode } from '../src/shared/errors.js';
import { testConfig } from './helpers.js';

export function crawlTestOptions(over: Partial<CrawlOptions> = {}, allowPrivateNetworks = true): CrawlOptions {
  return crawlOptions(testConfig({ crawl: { allowPrivateNetworks, retryBaseMs: 20, timeoutMs: 3000, connectTimeoutMs: 1000, maxBytes: 1024 * 1024 } }), over);
}

/** Crawls `url` (a path is taken on `base`) with a pool of its own, closed after. */
export async function crawlAt(base: string, url: string, over: Partial<CrawlOptions> = {}, allowPrivate = true) {
  const opts = crawlTestOptions(over, allowPrivate);
  const agent = createCrawlAgent(opts);
  try {
    return await crawlStory(/^[a-z]+:/.test(url) ? url : `${base}${url}`, agent, opts);
  } finally {
    await agent.close();
  }
}

/** `p` rejects with a catalog error of `code` whose message matches `re`. */
export async function failsWith(p: Promise<unknown>, code: ErrorCode, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isClipmillError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match((err as Error).message, re);
    return true;
  });
}
