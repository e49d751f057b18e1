// The circuit breaker, one implementation for the render worker and for the shorts pipeline's
// providers (src/main-worker/shorts/provider-breaker.ts: a "task" there is the short a provider
// call was for). The render worker's (DESIGN §5): a node whose renders keep failing (a broken
// GPU driver, an ffmpeg that dies, a full scratch disk) stops claiming before it burns the
// queue. After render.breakerFailures failures in a row it opens: no claims for
// render.breakerCooldownMs; then it lets one task through (half-open) and closes when that one
// succeeds, or opens again when it fails. Pure: the clock is given; the pipeline acts on it.
//
// What counts: a task that failed after its claim (sent back with backoff, or to trash/failed).
// Not counted: a task abandoned after the lease was lost (another party owns it), a hand-back
// (shutdown, a newer schema), and a failure at the claim itself (TASK_INVALID,
// TOO_MANY_ATTEMPTS: the task's file, whichever node reads it).

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface RunFailure {
  task: string;
  code: string;
  /** When its task was claimed (ms): the failure itself came later. */
  at: number;
}

export class Breaker {
  state: BreakerState = 'closed';
  /** Failures in a row (since the last success). */
  inARow = 0;
  /** The failures of the run whose attempts have not been given back yet. */
  run: RunFailure[] = [];
  openedAt: number | null = null;
  /** A half-open trial task is in flight. */
  private trial = false;

  constructor(
    readonly failures: number,
    readonly cooldownMs: number,
  ) {}

  /** Whether a claim may be made at `now` (half-open lets exactly one through). */
  allow(now: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.openedAt !== null && now - this.openedAt < this.cooldownMs) return false;
      this.state = 'half_open';
      this.trial = false;
    }
    if (this.trial) return false;
    this.trial = true;
    return true;
  }

  /** A claim that produced no task (none waiting): a half-open trial slot is freed. */
  noTask(): void {
    this.trial = false;
  }

  /** The time the breaker lets a task through again (open), or null. */
  reopensAt(): number | null {
    return this.state === 'open' && this.openedAt !== null ? this.openedAt + this.cooldownMs : null;
  }

  success(): void {
    this.state = 'closed';
    this.inARow = 0;
    this.run = [];
    this.openedAt = null;
    this.trial = false;
  }

  /**
   * A failure; returns true when it opens the breaker (the run reached render.breakerFailures
   * while closed, or a half-open trial failed).
   */
  failure(f: RunFailure, now: number): boolean {
    this.run.push(f);
    this.inARow++;
    const opens = this.state === 'half_open' || (this.state === 'closed' && this.inARow >= this.failures);
    if (opens) {
      this.state = 'open';
      this.openedAt = now;
      this.trial = false;
    }
    return opens;
  }

  /** Takes the run's failures not given back yet: the attempts charged per task, and since when. */
  takeRun(): { charged: Map<string, number>; since: number; codes: string[] } {
    const charged = new Map<string, number>();
    for (const f of this.run) charged.set(f.task, (charged.get(f.task) ?? 0) + 1);
    const out = { charged, since: this.run[0]?.at ?? Date.now(), codes: this.run.map((f) => f.code) };
    this.run = [];
    return out;
  }
}
