// One HTTP exchange with a paid provider (the shorts pipeline's transcription, LLM planner and
// generation; the narration engine's ElevenLabs): a whole-request timeout, an answer read up to
// a size limit (a larger one is refused, not buffered), the API key sent in one header and
// never in a message or a log line. 429, 5xx, timeouts and network errors are "unavailable"
// (PROVIDER_UNAVAILABLE: recoverable, retried); another 4xx is "rejected" (PROVIDER_REJECTED:
// fatal for that request). Errors carry the status and a byte count, never the answer's text.
//
// The key goes only to the configured base URL's origin (scheme, host and port): a URL the
// provider hands back (a generated image's download) on another origin gets no key, and must be
// https, and only a GET without a body (a provider-supplied URL never receives a POST), and is
// fetched with the crawler's address policy (crawl/address.ts, through its DNS-pinned agent): a
// loopback, private, link-local (169.254.169.254, the cloud metadata service) or otherwise
// non-public address is refused (PROVIDER_INVALID, nothing requested) unless
// shorts.allowPrivateNetworks; the provider must not make the main worker reach the local
// network. A redirect there is not followed (PROVIDER_INVALID, not retried). The configured base URL's own origin may be private: a self-hosted service on the
// local network is a setup this supports.
import { fetch as undiciFetch } from 'undici';
import { ClipmillError, classOf, type ErrorCode } from '../../shared/errors.js';
import { createCrawlAgent, literalAddressRefusal, policyOf, refusedCause } from '../crawl/fetch.js';
import type { Logger } from '../../shared/log.js';
import type { RetryPolicy } from '../../shared/retry.js';

export interface ProviderRequest {
  /** For messages: "transcription", "LLM planner", "generation", "ElevenLabs". */
  provider: string;
  url: string;
  /** The configured base URL: the key is sent to its origin only; another origin must be https. */
  baseUrl: string;
  method?: 'GET' | 'POST';
  key: string | null;
  /** The header the key goes in: absent, `authorization: Bearer <key>`; else that header holds the key as it is. */
  keyHeader?: string;
  body?: string | FormData;
  contentType?: string;
  timeoutMs: number;
  maxBytes: number;
  /** The answer as bytes (a download), not text. */
  binary?: boolean;
  /** The configuration keys messages name (defaults: shorts.providerTimeoutMs, shorts.providerMaxBytes). */
  settings?: { timeout?: string; maxBytes?: string };
  /** The error codes (default PROVIDER_UNAVAILABLE, PROVIDER_REJECTED). */
  codes?: { unavailable: ErrorCode; rejected: ErrorCode };
  /** The code of an answer past maxBytes (default codes.unavailable; a download too large is no outage: PROVIDER_INVALID). */
  oversize?: ErrorCode;
  /** Fetch a URL on another origin even at a private address (shorts.allowPrivateNetworks). */
  allowPrivateNetworks?: boolean;
  /** Why an address on another origin is refused (null: allowed); for tests. Default: the crawler's policy. */
  addressPolicy?: (ip: string) => string | null;
  /** A certificate (PEM) trusted for another origin instead of the system's authorities: tests' self-signed https servers only. */
  testOnlyTrustedCa?: string;
}

const PRIVATE_SETTING = 'shorts.allowPrivateNetworks';

export interface ProviderAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
  bytes: Buffer;
}

/** Whether `url` is on the origin of `base` (the only place the key is sent). */
export function sameOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

/** Where a redirect pointed, for a message: its host, never its path or query (they may carry a token). */
function redirectedTo(location: string | null, from: string): string {
  if (!location) return 'redirected (no Location)';
  try {
    return `redirected to ${new URL(location, from).host}`;
  } catch {
    return 'redirected (a Location that is not a URL)';
  }
}

/** Reads a body up to `max` bytes; `code` past it (the connection is dropped). */
async function readLimited(res: Pick<Response, 'headers' | 'body'>, req: ProviderRequest, code: ErrorCode): Promise<Buffer> {
  const max = req.maxBytes;
  const setting = req.settings?.maxBytes ?? 'shorts.providerMaxBytes';
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > max) {
    await res.body?.cancel().catch(() => {});
    throw new ClipmillError(code, `${req.provider}: the answer is ${length} bytes, more than the ${max} allowed (${setting})`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    n += chunk.byteLength;
    if (n > max) {
      await res.body.cancel().catch(() => {});
      throw new ClipmillError(code, `${req.provider}: the answer is more than the ${max} bytes allowed (${setting})`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** One request; the answer of a 2xx, else the error (see the head of this file). */
export async function providerRequest(req: ProviderRequest, signal?: AbortSignal): Promise<ProviderAnswer> {
  const codes = req.codes ?? { unavailable: 'PROVIDER_UNAVAILABLE', rejected: 'PROVIDER_REJECTED' };
  const home = sameOrigin(req.url, req.baseUrl);
  let protocol: string;
  try {
    protocol = new URL(req.url).protocol;
  } catch {
    throw new ClipmillError(codes.rejected, `${req.provider}: not a URL`);
  }
  const policy = policyOf({ allowPrivateNetworks: req.allowPrivateNetworks ?? false, ...(req.addressPolicy ? { addressPolicy: req.addressPolicy } : {}) });
  const method = req.method ?? (req.body === undefined ? 'GET' : 'POST');
  if (!home) {
    if (method !== 'GET' || req.body !== undefined) throw new ClipmillError('PROVIDER_INVALID', `${req.provider}: refused a ${method}${req.body !== undefined ? ' with a body' : ''} to a URL on another origin than the configured base URL (only a GET without a body is sent elsewhere); nothing sent`);
    const refused = literalAddressRefusal(new URL(req.url), policy);
    if (refused) throw new ClipmillError('PROVIDER_INVALID', `${req.provider}: refused a URL on another origin than the configured base URL at ${refused.host}: ${refused.why} (set ${PRIVATE_SETTING} to allow it); nothing fetched`);
  }
  if (!home && protocol !== 'https:') throw new ClipmillError(codes.rejected, `${req.provider}: refused a ${protocol.replace(/:$/, '')} URL on another origin than the configured base URL (only https is fetched from elsewhere)`);
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: req.binary ? '*/*' : 'application/json' };
  if (req.key && home) {
    if (req.keyHeader) headers[req.keyHeader] = req.key;
    else headers.authorization = `Bearer ${req.key}`;
  }
  if (req.contentType) headers['content-type'] = req.contentType;
  let status: number;
  let retryAfter: string | null;
  let bytes: Buffer;
  // The configured origin's redirects are an error (an outage); another origin's are answered as they are, and refused below.
  const init = { method, headers, ...(req.body !== undefined ? { body: req.body } : {}), signal: both, redirect: home ? ('error' as const) : ('manual' as const) };
  // Another origin: every address resolved and connected to is checked (DNS rebinding included).
  const agent = home ? null : createCrawlAgent({ allowPrivateNetworks: false, addressPolicy: policy, connectTimeoutMs: req.timeoutMs, timeoutMs: req.timeoutMs, setting: PRIVATE_SETTING, ...(req.testOnlyTrustedCa ? { testOnlyTrustedCa: req.testOnlyTrustedCa } : {}) });
  try {
    const res = agent ? await undiciFetch(req.url, { ...init, body: init.body as string | undefined, dispatcher: agent }) : await fetch(req.url, init);
    status = res.status;
    if (agent && status >= 300 && status < 400) {
      await res.body?.cancel().catch(() => {});
      throw new ClipmillError('PROVIDER_INVALID', `${req.provider}: the URL on another origin than the configured base URL was ${redirectedTo(res.headers.get('location'), req.url)}, not followed`, { details: { status } });
    }
    retryAfter = res.headers.get('retry-after');
    bytes = await readLimited(res as Pick<Response, 'headers' | 'body'>, req, req.oversize ?? codes.unavailable);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof ClipmillError) throw err;
    const refused = agent ? refusedCause(err) : null;
    if (refused) throw new ClipmillError('PROVIDER_INVALID', `${req.provider}: refused a URL on another origin than the configured base URL: ${refused.message}; nothing requested`, { cause: err });
    const why = timeout.aborted ? `no whole answer within ${req.timeoutMs} ms (${req.settings?.timeout ?? 'shorts.providerTimeoutMs'})` : `${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`;
    throw new ClipmillError(codes.unavailable, `${req.provider}: ${why}`, { cause: err });
  } finally {
    if (agent) void agent.close().catch(() => {});
  }
  const size = `${bytes.length} bytes`;
  if (status === 429 || status >= 500) throw new ClipmillError(codes.unavailable, `${req.provider} answered HTTP ${status}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''} (${size})`, { details: { status, retryAfter, bytes: bytes.length } });
  if (status < 200 || status >= 300) throw new ClipmillError(codes.rejected, `${req.provider} refused the request with HTTP ${status} (${size})`, { details: { status, bytes: bytes.length } });
  return { status, retryAfter, text: req.binary ? '' : bytes.toString('utf8'), bytes };
}

/**
 * `fn` under `policy`: retried while its error is recoverable, honouring a Retry-After the
 * provider sent, each retry logged as `Retrying <what> in <ms> ms (attempt n): <message>`.
 */
export function retryProvider<T>(policy: RetryPolicy, fn: () => Promise<T>, what: string, log: Logger | undefined, signal?: AbortSignal): Promise<T> {
  return policy.run(fn, {
    ...(signal ? { signal } : {}),
    shouldRetry: (err) => classOf(err) === 'recoverable',
    retryAfter: (err) => ((err as ClipmillError).details?.retryAfter as string | undefined) ?? null,
    onRetry: ({ attempt, delayMs, error }) => log?.warn({ attempt, delayMs, code: (error as ClipmillError).code }, `Retrying ${what} in ${Math.round(delayMs)} ms (attempt ${attempt}): ${(error as Error).message}`),
  });
}

/** The API key of a provider: the environment variable named by its config key; null when unset (a local server may need none). */
export function providerKey(envName: string, env: NodeJS.ProcessEnv = process.env): string | null {
  return env[envName]?.trim() || null;
}

/** What is wrong with an answer that does not parse as JSON, without quoting it: its size. */
export function notJson(text: string): string {
  return `not JSON (${Buffer.byteLength(text)} bytes)`;
}

/** The fields a zod check found wrong (paths and what was expected; no values of the answer). */
export function schemaIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], n = 3): string {
  return issues.slice(0, n).map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`).join('; ');
}
