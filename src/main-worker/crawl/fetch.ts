// Fetching one page, safely (issue: story links). undici with:
//  - http and https only, no credentials in URLs;
//  - unless allowPrivateNetworks: IP literals checked before connecting, host names checked
//    when they are resolved (a custom lookup), and the address actually connected to checked
//    again after connecting, on every hop of a redirect chain (DNS rebinding);
//  - connect and overall timeouts, a body size limit counted after decompression (a
//    compression bomb stops at maxBytes), at most maxRedirects redirects;
//  - retries with exponential backoff on network errors, 5xx and 429, honouring Retry-After
//    (the shared RetryPolicy, with the crawl.* values).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch } from 'undici';
import { ClipmillError, errorMessage, isClipmillError } from '../../shared/errors.js';
import { parseRetryAfter, RetryPolicy } from '../../shared/retry.js';
import { privateAddressReason } from './address.js';

export interface FetchOptions {
  allowPrivateNetworks: boolean;
  userAgent: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  retries: number;
  retryBaseMs: number;
  maxRetryAfterMs: number;
  signal?: AbortSignal | undefined;
  /** DNS resolution, for tests (defaults to the system resolver). */
  lookup?: LookupFunction;
  /**
   * Why an address is refused (null: allowed). Defaults to privateAddressReason, or to
   * allowing everything with allowPrivateNetworks; tests allow exactly their own server.
   */
  addressPolicy?: (ip: string) => string | null;
  /** Told about each retry (for logs). */
  onRetry?: (info: { url: string; attempt: number; waitMs: number; why: string }) => void;
}

export interface FetchedPage {
  url: string;
  finalUrl: string;
  status: number;
  contentType: string;
  body: Buffer;
  fetchedAt: string;
  redirects: string[];
}

/** Checks a URL before any connection is made; returns it parsed. */
export function checkUrl(raw: string, allowPrivateNetworks: boolean, policy: (ip: string) => string | null = allowPrivateNetworks ? () => null : privateAddressReason): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ClipmillError('CRAWL_REFUSED', `${JSON.stringify(raw)} is not a URL`, { details: { url: raw } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ClipmillError('CRAWL_REFUSED', `${url.protocol} URLs are not crawled (only http and https): ${raw}`, { details: { url: raw } });
  if (url.username || url.password) throw new ClipmillError('CRAWL_REFUSED', `URLs with credentials are not crawled: ${url.protocol}//***@${url.host}${url.pathname}`, { details: { url: `${url.protocol}//${url.host}${url.pathname}` } });
  const why = literalAddressRefusal(url, policy);
  if (why) throw new ClipmillError('CRAWL_REFUSED', `${raw} refused: ${why.why} (set crawl.allowPrivateNetworks to allow it)`, { details: { url: raw } });
  return url;
}

/** Why a URL whose host is an IP address is refused by `policy`, before any connection (a host name is checked when it resolves); null when allowed or a name. */
export function literalAddressRefusal(url: URL, policy: (ip: string) => string | null): { host: string; why: string } | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const why = isIP(host) ? policy(host) : null;
  return why ? { host, why } : null;
}

/** The address policy of the options: theirs (tests), none when private networks are allowed, else privateAddressReason. */
export function policyOf(opts: Pick<FetchOptions, 'allowPrivateNetworks' | 'addressPolicy'>): (ip: string) => string | null {
  return opts.addressPolicy ?? (opts.allowPrivateNetworks ? () => null : privateAddressReason);
}

/**
 * A dispatcher whose every connection obeys the address policy (close it when done): the agent of the crawler, also used by the shorts providers for a download on another origin
 * than their configured one; `setting` is the key named in a refusal (default crawl.allowPrivateNetworks).
 */
export function createCrawlAgent(opts: Pick<FetchOptions, 'allowPrivateNetworks' | 'connectTimeoutMs' | 'timeoutMs' | 'lookup' | 'addressPolicy'> & { setting?: string; testOnlyTrustedCa?: string }): Agent {
  const setting = opts.setting ?? 'crawl.allowPrivateNetworks';
  const resolve: LookupFunction = opts.lookup ?? ((hostname, options, callback) => dnsLookup(hostname, options, callback));
  const policy = policyOf(opts);
  const guarded: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err: NodeJS.ErrnoException | null, addresses: string | LookupAddress[], family?: number) => {
      if (err) return (callback as (e: Error) => void)(err);
      const list: LookupAddress[] = typeof addresses === 'string' ? [{ address: addresses, family: family ?? 4 }] : addresses;
      const allowed = list.filter((a) => !policy(a.address));
      if (allowed.length === 0) {
        const e = new ClipmillError('CRAWL_REFUSED', `${hostname} resolves to ${list.map((a) => a.address).join(', ')}: ${policy(list[0]?.address ?? '') ?? 'no address'} (set ${setting} to allow it)`);
        return (callback as (e: Error) => void)(e);
      }
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
      (callback as (e: null, a: string, f: number) => void)(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
  // A test's self-signed certificate, trusted instead of the system's authorities; never set by configuration.
  const base = buildConnector({ timeout: opts.connectTimeoutMs, lookup: guarded, ...(opts.testOnlyTrustedCa ? { ca: opts.testOnlyTrustedCa } : {}) } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (options, callback) => {
    base(options, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      // The address actually connected to, whatever resolved it.
      const why = policy(socket.remoteAddress ?? '');
      if (why) {
        socket.destroy();
        return callback(new ClipmillError('CRAWL_REFUSED', `connected to ${socket.remoteAddress}: ${why} (set ${setting} to allow it)`), null);
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs, connections: 4 });
}

/** The ClipmillError (a refusal of the agent's address policy) in an error's cause chain, if any. */
export function refusedCause(err: unknown): ClipmillError | null {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof ClipmillError) return e;
  }
  return null;
}

function describeNetworkError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, i = 0; e && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: string }).code;
    const msg = errorMessage(e);
    if (msg && msg !== 'fetch failed') parts.push(code && !msg.includes(code) ? `${msg} (${code})` : msg);
  }
  return parts.join(': ') || 'network error';
}

/** Retry-After in ms (seconds or an HTTP date), or null. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  return parseRetryAfter(header, now);
}

async function readBody(body: ReadableStream<Uint8Array> | null, max: number, url: string): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw new ClipmillError('CRAWL_TOO_LARGE', `${url} is larger than crawl.maxBytes (${max} bytes, counted after decompression)`, { details: { url } });
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks);
}

/** A failure worth another try (a network error, a 5xx, a 429), with the server's Retry-After if any. */
function unavailable(url: string, why: string, retryAfter: number | null = null): ClipmillError {
  return new ClipmillError('CRAWL_UNAVAILABLE', `${url}: ${why}`, { details: { url, ...(retryAfter !== null ? { retry_after_ms: retryAfter } : {}) } });
}

/**
 * The crawler's retry policy: crawl.retries retries after the first try, waits from
 * crawl.retryBaseMs doubling, every wait (a Retry-After too) capped at crawl.maxRetryAfterMs,
 * no jitter (one request at a time per link, nothing to spread).
 */
export function crawlRetryPolicy(opts: Pick<FetchOptions, 'retries' | 'retryBaseMs' | 'maxRetryAfterMs'>): RetryPolicy {
  return new RetryPolicy({ tries: opts.retries + 1, baseMs: opts.retryBaseMs, factor: 2, maxMs: opts.maxRetryAfterMs, maxRetryAfterMs: opts.maxRetryAfterMs });
}

/** One page: follows redirects (each hop checked), retries transient failures. */
export async function fetchPage(raw: string, agent: Agent, opts: FetchOptions): Promise<FetchedPage> {
  let attempts = 0;
  try {
    return await crawlRetryPolicy(opts).run(
      () => {
        attempts++;
        return fetchOnce(raw, agent, opts);
      },
      {
        signal: opts.signal,
        shouldRetry: (err) => isClipmillError(err, 'CRAWL_UNAVAILABLE'),
        retryAfter: (err) => (isClipmillError(err) && typeof err.details.retry_after_ms === 'number' ? err.details.retry_after_ms : null),
        onRetry: ({ attempt, delayMs, error }) => opts.onRetry?.({ url: raw, attempt, waitMs: delayMs, why: errorMessage(error) }),
      },
    );
  } catch (err) {
    // Every try spent: what was worth another try is now the page's failure.
    if (isClipmillError(err, 'CRAWL_UNAVAILABLE')) throw new ClipmillError('CRAWL_FAILED', `${raw}: ${err.message.slice(String(err.details.url).length + 2)} (after ${attempts} attempts)`, { cause: err, details: { url: raw } });
    throw err;
  }
}

async function fetchOnce(raw: string, agent: Agent, opts: FetchOptions): Promise<FetchedPage> {
  const redirects: string[] = [];
  const policy = policyOf(opts);
  let url = checkUrl(raw, opts.allowPrivateNetworks, policy);
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  for (;;) {
    let res;
    try {
      res = await fetch(url, {
        dispatcher: agent,
        redirect: 'manual',
        signal,
        headers: { 'user-agent': opts.userAgent, accept: 'text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5,*/*;q=0.1', 'accept-encoding': 'gzip, deflate, br' },
      });
    } catch (err) {
      const refused = refusedCause(err);
      if (refused) throw new ClipmillError('CRAWL_REFUSED', `${url.href} refused: ${refused.message}`, { details: { url: url.href } });
      if (opts.signal?.aborted) throw err;
      if (deadline.aborted) throw new ClipmillError('CRAWL_FAILED', `${url.href}: no complete answer within crawl.timeoutMs (${opts.timeoutMs} ms)`, { details: { url: url.href } });
      throw unavailable(url.href, describeNetworkError(err));
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel().catch(() => {});
      if (redirects.length >= opts.maxRedirects) throw new ClipmillError('CRAWL_FAILED', `${raw}: more than crawl.maxRedirects (${opts.maxRedirects}) redirects`, { details: { url: raw, redirects } });
      redirects.push(url.href);
      url = checkUrl(new URL(res.headers.get('location')!, url).href, opts.allowPrivateNetworks, policy);
      continue;
    }
    if (res.status === 429 || res.status >= 500) {
      await res.body?.cancel().catch(() => {});
      throw unavailable(url.href, `HTTP ${res.status}`, retryAfterMs(res.headers.get('retry-after')));
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw new ClipmillError('CRAWL_FAILED', `${url.href}: HTTP ${res.status}`, { details: { url: url.href, status: res.status } });
    }
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (length > opts.maxBytes && !res.headers.get('content-encoding')) {
      await res.body?.cancel().catch(() => {});
      throw new ClipmillError('CRAWL_TOO_LARGE', `${url.href} is ${length} bytes, more than crawl.maxBytes (${opts.maxBytes})`, { details: { url: url.href } });
    }
    let body: Buffer;
    try {
      body = await readBody(res.body as ReadableStream<Uint8Array> | null, opts.maxBytes, url.href);
    } catch (err) {
      if (err instanceof ClipmillError) throw err;
      if (deadline.aborted) throw new ClipmillError('CRAWL_FAILED', `${url.href}: the body did not arrive within crawl.timeoutMs (${opts.timeoutMs} ms)`, { details: { url: url.href } });
      if (opts.signal?.aborted) throw err;
      throw unavailable(url.href, describeNetworkError(err));
    }
    return { url: raw, finalUrl: url.href, status: res.status, contentType: res.headers.get('content-type') ?? '', body, fetchedAt: new Date().toISOString(), redirects };
  }
}
