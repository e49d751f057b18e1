// One story URL: fetch, decode, extract, and follow the next-page link up to crawl.maxPages,
// on the same site, never visiting a page twice.
import type { Agent } from 'undici';
import type { Config } from '../../shared/config.js';
import { ClipmillError } from '../../shared/errors.js';
import { packageVersion } from '../../shared/package-root.js';
import { decodePage } from './charset.js';
import type { z } from 'zod';
import type { PageSourceSchema } from '../../shared/ingest-files.js';
import { countWords } from './chunk.js';
import { extractFromText, type Extracted } from './extract.js';
import { extractInWorker } from './extract-worker.js';
import { fetchPage, type FetchOptions } from './fetch.js';

export interface CrawlOptions extends FetchOptions {
  maxPages: number;
  extractTimeoutMs: number;
  extractMaxHeapMb: number;
  onPage?: (page: PageSource) => void;
}

/** One fetched page of a story, as sources.json records it (the schema is in shared/ingest-files.ts). */
export type PageSource = z.infer<typeof PageSourceSchema>;

export interface CrawledStory {
  url: string;
  pages: PageSource[];
  paragraphs: string[];
  words: number;
}

export function crawlOptions(config: Config, extra: Partial<CrawlOptions> = {}): CrawlOptions {
  const c = config.crawl;
  return {
    allowPrivateNetworks: c.allowPrivateNetworks,
    userAgent: c.userAgent ?? `clipmill/${packageVersion()} (story crawler)`,
    connectTimeoutMs: c.connectTimeoutMs,
    timeoutMs: c.timeoutMs,
    maxBytes: c.maxBytes,
    maxRedirects: c.maxRedirects,
    retries: c.retries,
    retryBaseMs: c.retryBaseMs,
    maxRetryAfterMs: c.maxRetryAfterMs,
    maxPages: c.maxPages,
    extractTimeoutMs: c.extractTimeoutMs,
    extractMaxHeapMb: c.extractMaxHeapMb,
    ...extra,
  };
}

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)\b/i;

/** Extracts one fetched (or local) document. */
export async function extractDocument(body: Uint8Array, contentType: string, url: string, opts: Pick<CrawlOptions, 'extractTimeoutMs' | 'extractMaxHeapMb' | 'signal'>): Promise<{ extracted: Extracted; charset: string; charsetGuessed: boolean }> {
  const { text, charset, guessed: charsetGuessed } = decodePage(body, contentType);
  if (/^text\/plain\b/i.test(contentType)) return { extracted: extractFromText(text), charset, charsetGuessed };
  if (contentType && !HTML_TYPES.test(contentType)) throw new ClipmillError('CRAWL_NO_TEXT', `${url} is ${contentType.split(';')[0]}, not an HTML page`, { details: { url } });
  return { extracted: await extractInWorker(text, url, { timeoutMs: opts.extractTimeoutMs, maxHeapMb: opts.extractMaxHeapMb, signal: opts.signal }), charset, charsetGuessed };
}

function visitKey(u: string): string {
  try {
    const url = new URL(u);
    url.hash = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return u; // fetchPage refuses it with a clear reason
  }
}

export async function crawlStory(url: string, agent: Agent, opts: CrawlOptions): Promise<CrawledStory> {
  const pages: PageSource[] = [];
  const paragraphs: string[] = [];
  const visited = new Set<string>();
  let next: string | null = url;
  while (next && pages.length < opts.maxPages) {
    visited.add(visitKey(next));
    const page = await fetchPage(next, agent, opts);
    // A next link that redirects to a page already taken (page 1, say) ends the story there.
    if (pages.length > 0 && visited.has(visitKey(page.finalUrl)) && visitKey(page.finalUrl) !== visitKey(next)) break;
    visited.add(visitKey(page.finalUrl));
    const { extracted, charset, charsetGuessed } = await extractDocument(page.body, page.contentType, page.finalUrl, opts);
    const words = extracted.paragraphs.reduce((n, p) => n + countWords(p), 0);
    const source: PageSource = { url: next, final_url: page.finalUrl, title: extracted.title, byline: extracted.byline, fetched_at: page.fetchedAt, charset, ...(charsetGuessed ? { charset_guessed: true } : {}), method: extracted.method, ...(extracted.kept ? { kept: extracted.kept } : {}), words };
    pages.push(source);
    opts.onPage?.(source);
    paragraphs.push(...extracted.paragraphs);
    next = extracted.nextUrl && !visited.has(visitKey(extracted.nextUrl)) ? extracted.nextUrl : null;
  }
  const words = pages.reduce((n, p) => n + p.words, 0);
  if (words === 0) throw new ClipmillError('CRAWL_NO_TEXT', `${url}: no story text found on ${pages.length} page(s)`, { details: { url } });
  return { url, pages, paragraphs, words };
}
