// Trying again later: one small policy object for every retry of the farm (the main worker's
// ingest and convert retries, the crawler's fetches, the render worker's uploads), so that the
// waits grow, stop and honour a server's Retry-After the same way everywhere.
//
// A policy holds only values; it never remembers a failure. Code that retries within one call
// uses run(); code whose retries outlive the call (a raw file tried again at a later scan) keeps
// its own count of failed tries and asks the policy for delay() and exhausted().
//
// Which failures are retried goes by the error catalog's class (errors.ts): by default only
// recoverable ones (the machine failed, not the input). Fatal ones never are, and resource ones
// (killed for memory) are not retried as they were: retrying them takes less memory or another
// node, which the caller decides.
import { classOf } from './errors.js';

/** setTimeout's longest delay (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RetryPolicyOptions {
  /** Tries in all, the first one included: 1 never retries; Infinity never gives up. */
  tries: number;
  /** The wait after the first failed try, in ms. */
  baseMs: number;
  /** How much each wait grows over the one before. Default 2 (doubling); 1 waits baseMs every time. */
  factor?: number;
  /** The longest computed wait, in ms. Default: setTimeout's longest (about 24.8 days). */
  maxMs?: number;
  /**
   * The share of each computed wait that is random, from 0 to 1. Default 0 (exact waits). With
   * jitter j a wait w becomes a draw from [w × (1 − j), w], so failures that happened together
   * (a share that went away) are not all retried at the same instant; it never exceeds w.
   */
  jitter?: number;
  /** The longest wait a server's Retry-After may ask for, in ms. Default maxMs. */
  maxRetryAfterMs?: number;
  /** For tests: the random source of the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
  /** For tests: the clock an HTTP-date Retry-After is measured against. Default Date.now. */
  now?: () => number;
  /** For tests: the wait between tries; rejects with the signal's reason when it aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RetryInfo {
  /** Tries made so far, all failed (1 after the first). */
  attempt: number;
  /** The wait before the next try, in ms. */
  delayMs: number;
  /** What the last try threw. */
  error: unknown;
}

export interface RunOptions {
  /** Aborting it stops the retries: no try starts after it, and a wait ends at once. */
  signal?: AbortSignal | undefined;
  /** Whether a failure is worth another try. Default: the error's class is recoverable. */
  shouldRetry?: (err: unknown) => boolean;
  /** A Retry-After the failure carries (the header's text, or ms), replacing the computed wait. */
  retryAfter?: (err: unknown) => string | number | null | undefined;
  /** Told before each wait (for logs). */
  onRetry?: (info: RetryInfo) => void;
}

/** By default a failure is retried when the catalog says the machine failed, not the input. */
export function retriesByDefault(err: unknown): boolean {
  return classOf(err) === 'recoverable';
}

/**
 * A Retry-After header in ms from `now`: delay-seconds ("120") or an HTTP date (a date in the
 * past is 0). Null when absent or unreadable ("1.5", "-1", "soon").
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP date format names the day and month in letters; without this test Date.parse
  // would take "1.5" or "-1" for dates in 2001 or 1 BC.
  if (!/[a-z]{3}/i.test(text)) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** A wait that ends early, rejecting with the signal's reason, when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function check(name: string, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new RangeError(`RetryPolicy: ${name} must be ${expected}, got ${String(value)}`);
}

export class RetryPolicy {
  readonly tries: number;
  readonly baseMs: number;
  readonly factor: number;
  readonly maxMs: number;
  readonly jitter: number;
  readonly maxRetryAfterMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(opts: RetryPolicyOptions) {
    const { tries, baseMs, factor = 2, maxMs = MAX_TIMER_MS, jitter = 0 } = opts;
    const maxRetryAfterMs = opts.maxRetryAfterMs ?? maxMs;
    check('tries', tries, tries === Number.POSITIVE_INFINITY || (Number.isInteger(tries) && tries >= 1), 'an integer >= 1 or Infinity');
    check('baseMs', baseMs, Number.isFinite(baseMs) && baseMs >= 0, 'a number >= 0');
    check('factor', factor, Number.isFinite(factor) && factor >= 1, 'a number >= 1');
    check('maxMs', maxMs, maxMs >= 0 && !Number.isNaN(maxMs), 'a number >= 0');
    check('jitter', jitter, jitter >= 0 && jitter <= 1, 'a number from 0 to 1');
    check('maxRetryAfterMs', maxRetryAfterMs, maxRetryAfterMs >= 0 && !Number.isNaN(maxRetryAfterMs), 'a number >= 0');
    this.tries = tries;
    this.baseMs = baseMs;
    this.factor = factor;
    this.maxMs = Math.min(maxMs, MAX_TIMER_MS);
    this.jitter = jitter;
    this.maxRetryAfterMs = Math.min(maxRetryAfterMs, MAX_TIMER_MS);
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? abortableSleep;
  }

  /**
   * The wait after `attempt` failed tries (1 after the first): baseMs × factor^(attempt − 1),
   * capped at maxMs, less the jitter. A server's Retry-After (the header's text, or ms) replaces
   * it, capped at maxRetryAfterMs and without jitter: the server chose the moment.
   */
  delay(attempt: number, retryAfter?: string | number | null): number {
    const asked = typeof retryAfter === 'number' ? (Number.isFinite(retryAfter) ? Math.max(0, retryAfter) : null) : parseRetryAfter(retryAfter, this.now());
    if (asked !== null) return Math.min(this.maxRetryAfterMs, asked);
    const computed = Math.min(this.maxMs, this.baseMs * this.factor ** Math.max(0, attempt - 1));
    return this.jitter === 0 ? computed : computed * (1 - this.jitter * this.random());
  }

  /** Whether `attempt` tries have used up the policy: no other try may follow. */
  exhausted(attempt: number): boolean {
    return attempt >= this.tries;
  }

  /**
   * Calls fn (given the try's number, from 1) until it resolves, waiting delay() between tries.
   * Stops and rethrows the last error when the policy is exhausted, when shouldRetry says no, or
   * when the signal has aborted; an abort during a wait rejects with the signal's reason.
   */
  async run<T>(fn: (attempt: number) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    const { signal, shouldRetry = retriesByDefault } = opts;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      try {
        return await fn(attempt);
      } catch (err) {
        if (signal?.aborted || this.exhausted(attempt) || !shouldRetry(err)) throw err;
        const delayMs = this.delay(attempt, opts.retryAfter?.(err));
        opts.onRetry?.({ attempt, delayMs, error: err });
        await this.sleep(delayMs, signal);
      }
    }
  }
}
