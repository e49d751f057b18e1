// One HTTP exchange with a provider of the shorts pipeline (transcription, LLM planner,
// generation): a whole-request timeout, an answer read up to a size limit (a larger one is
// refused, not buffered), the API key sent in one header and never in a message or a log line.
// 429, 5xx, timeouts and network errors are PROVIDER_UNAVAILABLE (recoverable: retried);
// another 4xx is PROVIDER_REJECTED (fatal for that request).
import { ClipmillError } from '../../shared/errors.js';

export interface ProviderRequest {
  /** For messages: "transcription", "LLM planner", "generation". */
  provider: string;
  url: string;
  method?: 'GET' | 'POST';
  key: string | null;
  body?: string | FormData;
  contentType?: string;
  timeoutMs: number;
  maxBytes: number;
  /** The answer as bytes (a download), not text. */
  binary?: boolean;
}

export interface ProviderAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
  bytes: Buffer;
}

/** Reads a body up to `max` bytes; PROVIDER_UNAVAILABLE past it (the connection is dropped). */
async function readLimited(res: Response, max: number, provider: string): Promise<Buffer> {
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > max) {
    await res.body?.cancel().catch(() => {});
    throw new ClipmillError('PROVIDER_UNAVAILABLE', `${provider}: the answer is ${length} bytes, more than the ${max} allowed (shorts.providerMaxBytes)`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    n += chunk.byteLength;
    if (n > max) {
      await res.body.cancel().catch(() => {});
      throw new ClipmillError('PROVIDER_UNAVAILABLE', `${provider}: the answer is more than the ${max} bytes allowed (shorts.providerMaxBytes)`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** One request; the answer of a 2xx, else the error (see the head of this file). */
export async function providerRequest(req: ProviderRequest, signal?: AbortSignal): Promise<ProviderAnswer> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: req.binary ? '*/*' : 'application/json' };
  if (req.key) headers.authorization = `Bearer ${req.key}`;
  if (req.contentType) headers['content-type'] = req.contentType;
  let status: number;
  let retryAfter: string | null;
  let bytes: Buffer;
  try {
    const res = await fetch(req.url, { method: req.method ?? (req.body === undefined ? 'GET' : 'POST'), headers, ...(req.body !== undefined ? { body: req.body } : {}), signal: both, redirect: 'error' });
    status = res.status;
    retryAfter = res.headers.get('retry-after');
    bytes = await readLimited(res, req.maxBytes, req.provider);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof ClipmillError) throw err;
    const why = timeout.aborted ? `no whole answer within ${req.timeoutMs} ms (shorts.providerTimeoutMs)` : `${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`;
    throw new ClipmillError('PROVIDER_UNAVAILABLE', `${req.provider}: ${why}`, { cause: err });
  }
  const text = req.binary ? '' : bytes.toString('utf8');
  const excerpt = () => (req.binary ? '' : `: ${text.slice(0, 300)}`);
  if (status === 429 || status >= 500) throw new ClipmillError('PROVIDER_UNAVAILABLE', `${req.provider} answered HTTP ${status}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}${excerpt()}`, { details: { status, retryAfter } });
  if (status < 200 || status >= 300) throw new ClipmillError('PROVIDER_REJECTED', `${req.provider} refused the request with HTTP ${status}${excerpt()}`, { details: { status } });
  return { status, retryAfter, text, bytes };
}

/** The API key of a provider: the environment variable named by its config key; null when unset (a local server may need none). */
export function providerKey(envName: string, env: NodeJS.ProcessEnv = process.env): string | null {
  return env[envName]?.trim() || null;
}
