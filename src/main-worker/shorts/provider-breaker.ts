// A circuit breaker per provider of the shorts pipeline: the render worker's breaker
// (src/shared/breaker.ts, one implementation for both) around each provider call. After
// shorts.breakerFailures failed calls in a row (each after its own retries) the provider is
// left alone for shorts.breakerCooldownMs (PROVIDER_PAUSED); then one call is let through, and
// its outcome closes or reopens the breaker. An aborted call (shutdown) counts for nothing.
import { Breaker, type BreakerState } from '../../shared/breaker.js';
import { ClipmillError } from '../../shared/errors.js';

export interface ProviderBreakerStatus {
  provider: string;
  state: 'closed' | 'open' | 'half-open';
  /** Failed calls in a row. */
  failures: number;
  /** When an open breaker lets a call through again. */
  reopens_at: string | null;
}

const shown: Record<BreakerState, ProviderBreakerStatus['state']> = { closed: 'closed', open: 'open', half_open: 'half-open' };

/** The codes of a provider's own failure (unavailable, refused the request, answered nonsense): the only ones a breaker counts. */
const PROVIDER_FAULTS: ReadonlySet<string> = new Set(['PROVIDER_UNAVAILABLE', 'PROVIDER_REJECTED', 'PROVIDER_INVALID']);

/** Whether `err` is the provider's fault (counts against its breaker), not this machine's. */
export function providerFault(err: unknown): boolean {
  return err instanceof ClipmillError && PROVIDER_FAULTS.has(err.code);
}

export class ProviderBreaker {
  private readonly breaker: Breaker;

  constructor(
    readonly provider: string,
    failures: number,
    cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.breaker = new Breaker(failures, cooldownMs);
  }

  /**
   * Runs `call` unless the breaker is open; `what` names the short for its failure record. An
   * error `counts` says false of (a machine failure after the provider answered) is neither a
   * failure nor a success.
   */
  async run<T>(what: string, call: () => Promise<T>, signal?: AbortSignal, counts: (err: unknown) => boolean = () => true): Promise<T> {
    if (!this.breaker.allow(this.now())) {
      const at = this.breaker.reopensAt();
      throw new ClipmillError('PROVIDER_PAUSED', `the ${this.provider} provider failed ${this.breaker.inARow} times in a row: left alone until ${at ? new Date(at).toISOString() : 'its cooldown ends'} (shorts.breakerCooldownMs)`);
    }
    try {
      const out = await call();
      this.breaker.success();
      return out;
    } catch (err) {
      if (signal?.aborted || !counts(err)) this.breaker.noTask();
      else this.breaker.failure({ task: what, code: err instanceof ClipmillError ? err.code : 'IO', at: this.now() }, this.now());
      throw err;
    }
  }

  status(): ProviderBreakerStatus {
    const at = this.breaker.reopensAt();
    return { provider: this.provider, state: shown[this.breaker.state], failures: this.breaker.inARow, reopens_at: at === null ? null : new Date(at).toISOString() };
  }
}
