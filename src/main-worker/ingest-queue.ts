// The ingest queue: each stable raw file is checked (ingest/index.ts) and then moved into
// scanned/, kept as an original to convert, rejected into trash/invalid/, or left in raw/ to be
// tried again. Story links go on their own queue (crawl.concurrency): they wait on the network,
// not on the CPU, and must not hold up footage (ingest.concurrency).
//
// A file that fails for a machine reason (a killed ffprobe, a disk error) stays in raw/ and is
// skipped by the scans until its backoff (INGEST_RETRY) has passed; after INGEST_RETRY.tries
// tries the failure is taken to be the file's and it is rejected with the reason.
import PQueue from 'p-queue';
import type { Agent } from 'undici';
import { errorMessage } from '../shared/errors.js';
import { RetryPolicy } from '../shared/retry.js';
import type { MainContext } from './context.js';
import { crawlOptions } from './crawl/crawl.js';
import { createCrawlAgent } from './crawl/fetch.js';
import type { ConvertJob } from './ingest/convert.js';
import { ingestFile } from './ingest/index.js';
import type { MainMetrics, Totals } from './metrics.js';
import type { RawFile } from './scan.js';

/**
 * Retries of a raw file that failed for a machine reason: 5 retries after the first try, 2 s
 * doubling up to 10 min between them (taken at the first scan after the wait). The sixth try
 * is the last: a tool that crashes on the same input every time is the input's fault, and the
 * file is rejected. No jitter: the scans already spread the retries.
 */
export const INGEST_RETRY = new RetryPolicy({ tries: 1 + 5, baseMs: 2000, factor: 2, maxMs: 10 * 60_000 });

export interface IngestQueueOptions {
  ctx: MainContext;
  totals: Totals;
  metrics: MainMetrics | null;
  /** Told when a file has left raw/ or must settle again, so that it is watched afresh. */
  forget(path: string): void;
  /** A file was moved into scanned/ as it was (`dest`: its path there). */
  moved(dest: string, signal?: AbortSignal): void;
  /** A file was kept as an original under scanned/; it is to be converted. */
  convert(job: ConvertJob, signal?: AbortSignal): void;
  /** Default INGEST_RETRY. */
  policy?: RetryPolicy;
  /** Default ingestFile (ingest/index.ts); tests pass a stub. */
  ingest?: typeof ingestFile;
}

export class IngestQueue {
  private readonly opts: IngestQueueOptions;
  private readonly policy: RetryPolicy;
  private readonly ingest: typeof ingestFile;
  private readonly files: PQueue;
  private readonly links: PQueue;
  private readonly inFlight = new Set<string>();
  /** Raw files whose last try failed for a machine reason: how many failed, and not before `until`. */
  private readonly backoff = new Map<string, { failures: number; until: number }>();
  private readonly skippedLogged = new Set<string>();
  private agent: Agent | null = null;
  private stopped = false;
  private changedFlag = false;

  constructor(opts: IngestQueueOptions) {
    this.opts = opts;
    this.policy = opts.policy ?? INGEST_RETRY;
    this.ingest = opts.ingest ?? ingestFile;
    this.files = new PQueue({ concurrency: opts.ctx.config.ingest.concurrency });
    this.links = new PQueue({ concurrency: opts.ctx.config.crawl.concurrency });
  }

  /** Jobs queued or running: footage, music and voices (ingest), and story links (crawl). */
  depths(): { ingest: number; crawl: number } {
    return { ingest: this.files.size + this.files.pending, crawl: this.links.size + this.links.pending };
  }

  /** Raw files queued or being checked. */
  inFlightPaths(): Iterable<string> {
    return this.inFlight;
  }

  /** Whether a file changed while it was being checked since the last resetChanged(). */
  get changed(): boolean {
    return this.changedFlag;
  }

  resetChanged(): void {
    this.changedFlag = false;
  }

  /** Whether a stable file may be queued now: not already queued, not waiting out a backoff. */
  isDue(path: string, now: number): boolean {
    return !this.inFlight.has(path) && (this.backoff.get(path)?.until ?? 0) <= now;
  }

  /** The crawler's connection pool, made when the first link is crawled. */
  private crawlAgent(): Agent {
    this.agent ??= createCrawlAgent(crawlOptions(this.opts.ctx.config));
    return this.agent;
  }

  /** Queues one stable raw file; false when the queue has stopped taking work. */
  enqueue(file: RawFile, signal?: AbortSignal): boolean {
    if (this.stopped) return false;
    this.inFlight.add(file.path);
    const isLink = file.rel.startsWith('story/') && file.rel.split('/')[3] === 'link';
    void (isLink ? this.links : this.files).add(() => this.take(file, isLink, signal)).finally(() => this.inFlight.delete(file.path));
    return true;
  }

  private async take(file: RawFile, isLink: boolean, signal?: AbortSignal): Promise<void> {
    const { ctx, totals, metrics } = this.opts;
    if (signal?.aborted) return;
    const rawPath = `raw/${file.rel}`;
    try {
      const failures = this.backoff.get(file.path)?.failures ?? 0;
      const lastTry = this.policy.exhausted(failures + 1);
      const out = await this.ingest(ctx, file, signal, { ...(isLink ? { agent: this.crawlAgent() } : {}), lastTry });
      if (out.status === 'moved' || out.status === 'convert' || out.status === 'rejected' || out.status === 'retry') metrics?.files.inc({ outcome: out.status === 'convert' ? 'moved' : out.status });
      if (out.status === 'rejected') metrics?.rejects.inc({ code: out.code });
      if (out.status === 'moved') {
        totals.moved++;
        this.opts.moved(out.dest, signal);
      } else if (out.status === 'convert') {
        this.opts.convert(out.job, signal);
      } else if (out.status === 'changed') {
        this.changedFlag = true;
        ctx.log.info({ file: rawPath }, `${rawPath} changed while it was being checked; it will be taken once it settles again`);
      } else if (out.status === 'retry') {
        totals.errors++;
        const wait = this.policy.delay(failures + 1);
        this.backoff.set(file.path, { failures: failures + 1, until: Date.now() + wait });
        ctx.log.error({ file: rawPath }, `Could not check ${rawPath}: ${out.message}; it stays in raw/ and is tried again in ${Math.round(wait / 1000)} s`);
      } else if (out.status === 'rejected') totals.rejected++;
      else if (out.status === 'skipped' && !this.skippedLogged.has(file.path)) {
        this.skippedLogged.add(file.path);
        ctx.log.info({ file: rawPath }, `Left ${rawPath} in place: ${out.reason}`);
      }
      if (out.status !== 'retry') this.backoff.delete(file.path);
      if (out.status !== 'skipped') this.opts.forget(file.path);
    } catch (err) {
      if (signal?.aborted) return;
      totals.errors++;
      ctx.log.error({ file: rawPath, err }, `Could not ingest ${rawPath}: ${errorMessage(err)}`);
    }
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    await this.files.onIdle();
    await this.links.onIdle();
  }

  /** Takes no more files; what is queued still runs (it returns at once once the signal has aborted). */
  stop(): void {
    this.stopped = true;
  }

  /** Closes the crawler's connections (idle ones would keep a --once process alive). */
  async closeAgent(): Promise<void> {
    const agent = this.agent;
    this.agent = null;
    await agent?.close();
  }
}
